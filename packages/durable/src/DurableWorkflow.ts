/**
 * `Durable.workflow(name, primitive, options)`: a @tta/core primitive tree as an effect/workflow
 * `Workflow`. The tree is checked once here (duplicate step paths and unsupported shapes throw
 * typed errors); `layer` registers it with the engine of a runner (`Durable.runner`).
 */
import type { Primitive } from "@tta/core"
import { type Cause, Effect, type Layer, Option, Schema } from "effect"
import { Workflow, type WorkflowEngine } from "effect/workflow"
import { compile } from "./Compile.ts"
import type { DurableContext } from "./DurableContext.ts"
import { VersionMismatchError, WorkflowFailedError } from "./Errors.ts"
import { canonicalJson, errorToJson } from "./Json.ts"
import { check } from "./Paths.ts"

export interface WorkflowOptions<In> {
  /** Schema of the input; it is kept in the journal as JSON. */
  readonly input: Schema.Codec<In, any>
  /** Schema of the output; JSON as it is by default. */
  readonly output?: Schema.Codec<any, any> | undefined
  /** The definition's version (default "1"). An execution finishes on the version it started on. */
  readonly version?: string | undefined
  /**
   * What makes two runs the same execution. Default: the input itself (canonical JSON), so running
   * the same input again joins (or returns the result of) the first execution.
   */
  readonly idempotencyKey?: ((input: In) => string) | undefined
}

/** The outcome of an execution, once it has one. */
export type Outcome<Out> =
  | { readonly _tag: "Succeeded"; readonly value: Out }
  | { readonly _tag: "Failed"; readonly error: WorkflowFailedError }
  | { readonly _tag: "Waiting" }

/** `R`: the services the steps need (besides `DurableContext`), provided to the runner. */
export interface DurableWorkflow<In, Out, R = never> {
  readonly name: string
  readonly version: string
  readonly primitive: Primitive.Any
  /** The effect/workflow definition (payload `{ input, version }`). */
  readonly workflow: Workflow.Workflow<string, any, any, typeof Schema.Json>
  /** Registers the workflow with the engine (part of `Durable.runner`). */
  readonly layer: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | Exclude<R, DurableContext>>
  /** The execution id the input maps to. */
  readonly executionId: (input: In) => Effect.Effect<string>
  /** Starts (or joins) the execution for `input` and waits for its result. */
  readonly run: (input: In) => Effect.Effect<Out, WorkflowFailedError, WorkflowEngine.WorkflowEngine>
  /** Starts (or joins) the execution for `input` without waiting; returns its id. */
  readonly start: (input: In) => Effect.Effect<string, never, WorkflowEngine.WorkflowEngine>
  /** The outcome so far of an execution (none: still running or unknown). */
  readonly poll: (
    executionId: string
  ) => Effect.Effect<Option.Option<Outcome<Out>>, never, WorkflowEngine.WorkflowEngine>
}

/** Whether a defect is the store failing (the engine dies with `PersistenceError` then). */
const isStoreOutage = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some(
    (r) => r._tag === "Die" && (r.defect as { _tag?: unknown } | null)?._tag === "PersistenceError"
  )

/**
 * Waiting for an execution dies when the store is unreachable; the execution itself is safe in the
 * journal, so the caller joins it again (same execution id) once the store answers.
 */
const joinThroughOutages = <A, E, R>(join: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const attempt = (delayMillis: number): Effect.Effect<A, E, R> =>
    Effect.catchCause(join, (cause) =>
      isStoreOutage(cause)
        ? Effect.andThen(Effect.sleep(delayMillis), attempt(Math.min(delayMillis * 2, 5_000)))
        : Effect.failCause(cause)
    )
  return attempt(200)
}

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
    ? (error as { message: string }).message
    : JSON.stringify(error)

export const workflow = <In, Out, E, R>(
  name: string,
  primitive: Primitive.Primitive<In, Out, E, R>,
  options: WorkflowOptions<In>
): DurableWorkflow<In, Out, R> => {
  check(name, primitive)
  const version = options.version ?? "1"
  const def = { workflow: name, version }
  const body = compile(def, primitive, "")
  const encodeInput = Schema.encodeSync(Schema.toCodecJson(options.input))
  const keyOf = options.idempotencyKey
  const wf = Workflow.make(name, {
    payload: { input: options.input, version: Schema.String },
    success: options.output ?? Schema.Json,
    error: Schema.Json,
    idempotencyKey: (payload: { input: In }) =>
      keyOf?.(payload.input) ?? canonicalJson(encodeInput(payload.input))
  }) as unknown as Workflow.Workflow<string, any, any, typeof Schema.Json>

  const layer = wf.toLayer((payload: { input: In; version: string }, executionId: string) =>
    payload.version !== version
      ? Effect.fail(
          errorToJson(
            new VersionMismatchError({
              workflow: name,
              executionId,
              startedOn: payload.version,
              current: version,
              message:
                `execution ${executionId} of workflow ${name} started on version ${payload.version}, ` +
                `but this runner has version ${version}; it cannot replay a changed tree - ` +
                `finish it on a runner with version ${payload.version}, or cancel it`
            })
          ) as Schema.Json
        )
      : (Effect.mapError(body(payload.input), errorToJson) as Effect.Effect<any, Schema.Json, any>)
  ) as unknown as DurableWorkflow<In, Out, R>["layer"]

  const failed = (executionId: string, error: unknown) =>
    new WorkflowFailedError({
      workflow: name,
      executionId,
      error: error as Schema.Json,
      message: `workflow ${name} (execution ${executionId}) failed: ${describe(error)}`
    })
  const payloadOf = (input: In) => ({ input, version })
  const executionId = (input: In) => wf.executionId(payloadOf(input))

  return {
    name,
    version,
    primitive,
    workflow: wf,
    layer,
    executionId,
    run: (input) =>
      Effect.flatMap(executionId(input), (id) =>
        Effect.mapError(
          joinThroughOutages(wf.execute(payloadOf(input)) as Effect.Effect<Out, unknown, any>),
          (e) => failed(id, e)
        )
      ),
    start: (input) => wf.execute(payloadOf(input), { discard: true }) as Effect.Effect<string, never, any>,
    poll: (id) =>
      Effect.map(wf.poll(id), (result) =>
        Option.map(result, (r): Outcome<Out> => {
          if (r._tag === "Suspended") return { _tag: "Waiting" }
          const exit = r.exit
          if (exit._tag === "Success") return { _tag: "Succeeded", value: exit.value as Out }
          const error = exit.cause.reasons.find((x) => x._tag === "Fail")
          return {
            _tag: "Failed",
            error: failed(id, error?._tag === "Fail" ? error.error : String(exit.cause))
          }
        })
      )
  }
}
