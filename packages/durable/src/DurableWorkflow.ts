/**
 * `Durable.workflow(name, primitive, options)`: a @tta/core primitive tree as an effect/workflow
 * `Workflow`. The tree is checked once here (duplicate step paths and unsupported shapes throw
 * typed errors); `layer` registers it with the engine of a runner (`Durable.runner`).
 */
import { type Primitive, WorkflowContext, type WorkflowContextOptions } from "@tta/core"
import { type Cause, Effect, type Layer, Option, Schedule, Schema } from "effect"
import * as Workflow from "effect/workflow/Workflow"
import type * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { compile } from "./Compile.ts"
import type { DurableContext } from "./DurableContext.ts"
import { NonJsonOutputError, VersionMismatchError, WorkflowFailedError } from "./Errors.ts"
import { canonicalJson, errorToJson, toJson, whyNotJson } from "./Json.ts"
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
  /**
   * Earlier versions this runner can still finish: executions started on one of them replay on
   * its tree (a journal only matches the tree that wrote it). New executions start on `version`.
   */
  readonly previous?:
    | ReadonlyArray<{ readonly version: string; readonly primitive: Primitive.Any }>
    | undefined
  /**
   * The `WorkflowContext` (@tta/core) each execution's steps see: its id, metadata and tags. Every
   * execution gets its own (default: `workflowId` = the execution id); it is built again on every
   * replay, so derive it from the input and the execution only (no clock, no random ids).
   */
  readonly context?: ((input: In, execution: Execution) => WorkflowContextOptions) | undefined
}

/** Which execution a `context` function is asked about. */
export interface Execution {
  readonly executionId: string
  readonly workflow: string
  /** The version the execution started on. */
  readonly version: string
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
  readonly layer: Layer.Layer<
    never,
    never,
    WorkflowEngine.WorkflowEngine | Exclude<R, DurableContext | WorkflowContext>
  >
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
  // One compiled body per version this runner can finish.
  const bodies = new Map([[version, compile({ workflow: name, version }, primitive, "")]])
  for (const old of options.previous ?? []) {
    check(name, old.primitive)
    bodies.set(old.version, compile({ workflow: name, version: old.version }, old.primitive, ""))
  }
  const known = [...bodies.keys()].join(", ")
  const encodeInput = Schema.encodeSync(Schema.toCodecJson(options.input))
  const keyOf = options.idempotencyKey
  const wf = Workflow.make(name, {
    payload: { input: options.input, version: Schema.String },
    success: options.output ?? Schema.Json,
    error: Schema.Json,
    idempotencyKey: (payload: { input: In }) =>
      keyOf?.(payload.input) ?? canonicalJson(encodeInput(payload.input)),
    // How often a caller on another process (Durable.remote) looks again at a run that replied
    // `Suspended`. effect's default grows to 30 s, so after a store restart (runs suspended by the
    // shard release) remote callers waited up to 30 s per look; 2 s at most costs one query.
    suspendedRetrySchedule: Schedule.min([Schedule.exponential(200, 1.5), Schedule.spaced(2000)])
  }) as unknown as Workflow.Workflow<string, any, any, typeof Schema.Json>

  // The result is kept through the output Schema; by default as JSON, checked like a step's output.
  const finish = (output: unknown): Effect.Effect<unknown, unknown> => {
    if (options.output !== undefined) return Effect.succeed(output)
    const why = whyNotJson(output)
    return why === undefined
      ? Effect.succeed(toJson(output))
      : Effect.fail(
          new NonJsonOutputError({
            workflow: name,
            step: "(result)",
            message: `the result of workflow ${name} is not JSON (${why}); give it an output Schema`
          })
        )
  }

  // Each execution's own WorkflowContext, provided around its body: the engine runs activities
  // with the context of the fiber that reaches them, so every step of this execution sees it.
  const contextOf = (input: In, executionId: string, startedOn: string) => {
    const given = options.context?.(input, { executionId, workflow: name, version: startedOn })
    return WorkflowContext.make({ ...given, workflowId: given?.workflowId ?? executionId })
  }

  const layer = wf.toLayer((payload: { input: In; version: string }, executionId: string) => {
    const body = bodies.get(payload.version)
    return body === undefined
      ? Effect.fail(
          errorToJson(
            new VersionMismatchError({
              workflow: name,
              executionId,
              startedOn: payload.version,
              current: version,
              message:
                `execution ${executionId} of workflow ${name} started on version ${payload.version}, ` +
                `but this runner has version ${version} (it can finish ${known}); it cannot replay a changed tree - ` +
                `finish it on a runner with version ${payload.version}, list it in \`previous\`, or cancel it`
            })
          ) as Schema.Json
        )
      : (Effect.mapError(
          Effect.flatMap(
            Effect.suspend(() =>
              Effect.provideService(
                body(payload.input),
                WorkflowContext,
                contextOf(payload.input, executionId, payload.version)
              )
            ),
            finish
          ),
          errorToJson
        ) as Effect.Effect<any, Schema.Json, any>)
  }) as unknown as DurableWorkflow<In, Out, R>["layer"]

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
    // The execution id (a digest) is computed again only when the run fails: the engine has it.
    run: (input) =>
      Effect.catch(
        joinThroughOutages(wf.execute(payloadOf(input)) as Effect.Effect<Out, unknown, any>),
        (e) => Effect.flatMap(executionId(input), (id) => Effect.fail(failed(id, e)))
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
