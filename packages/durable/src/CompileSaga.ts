/**
 * `saga` inside a durable workflow. Each step's compensation runs as its own activity
 * (`<step>/compensate`), so it completes exactly once and one interrupted by a crash runs again on
 * the resume; it gets the step's output and input, and its `DurableContext` idempotency key.
 *
 * Same semantics as @tta/core's saga: when a step fails, the completed steps are compensated in
 * reverse and the saga fails with a `SagaError`. A workflow cancelled while inside the saga
 * compensates through `Workflow.addFinalizer` (the mechanism of `Workflow.withCompensation`): the
 * engine runs those finalizers when the cancelled execution ends. Suspending (waiting for an
 * approval, a signal, a clock) is not a failure and compensates nothing.
 */
import { Errors as CoreErrors, type Primitive, Saga } from "@tta/core"
import { Cause, Effect, Exit } from "effect"
import { Workflow } from "effect/workflow"
import { activity, type Compiled, type Definition, ItemSuffix } from "./Compile.ts"
import { errorToJson } from "./Json.ts"
import { join } from "./Paths.ts"

type Compile = (def: Definition, p: Primitive.Any, parent: string) => Compiled

interface Done {
  readonly name: string
  readonly undo: (output: unknown, input: unknown) => Effect.Effect<unknown, unknown, unknown>
  readonly input: unknown
  readonly output: unknown
  settled: boolean
}

export const compileSaga = (
  def: Definition,
  steps: ReadonlyArray<Primitive.Any>,
  here: string,
  compile: Compile
): Compiled => {
  const compiled = steps.map((s) => ({
    name: join(here, s.name),
    run: compile(def, s, here),
    undo: Saga.isSagaStep(s) ? s[Saga.CompensationId] : undefined
  }))
  const sagaName = steps.length === 1 ? steps[0]!.name : `saga(${steps.map((s) => s.name).join(", ")})`
  return (input) =>
    Effect.flatMap(ItemSuffix, (suffix) =>
      Effect.suspend(() => {
        const done: Array<Done> = []
        let current = 0
        const compensate = (d: Done) =>
          Effect.suspend(() => {
            d.settled = true
            return activity(def, `${d.name}${suffix}/compensate`, Effect.as(d.undo(d.output, d.input), null))
          })
        const go = (i: number, value: unknown): Effect.Effect<unknown, unknown, any> =>
          Effect.flatMap(
            Effect.suspend(() => {
              current = i
              return compiled[i]!.run(value)
            }),
            (output) => {
              const undo = compiled[i]!.undo
              const next = i + 1 === compiled.length ? Effect.succeed(output) : go(i + 1, output)
              if (undo === undefined) return next
              const d: Done = { name: compiled[i]!.name, undo, input: value, output, settled: false }
              done.push(d)
              // Cancelled inside the saga: the engine closes the execution's scope with the interrupt.
              return Effect.andThen(
                Workflow.addFinalizer((exit) =>
                  !d.settled && Exit.isFailure(exit) ? Effect.ignore(compensate(d)) : Effect.void
                ),
                next
              )
            }
          )
        return Effect.onExit(
          Effect.catchCause(go(0, input), (cause) => {
            if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
            return compensateAll(sagaName, done, compensate, cause, steps[current]?.name ?? "?")
          }),
          (exit) =>
            Effect.sync(() => {
              // Finished (either way): nothing is left for a cancel to compensate.
              if (Exit.isSuccess(exit) || !Cause.hasInterruptsOnly(exit.cause))
                for (const d of done) d.settled = true
            })
        )
      })
    )
}

const compensateAll = (
  sagaName: string,
  done: ReadonlyArray<Done>,
  compensate: (d: Done) => Effect.Effect<unknown, unknown, any>,
  cause: Cause.Cause<unknown>,
  failedStep: string
) =>
  Effect.gen(function* () {
    const compensated: Array<string> = []
    const failures: Array<{ step: string; error: unknown }> = []
    for (let i = done.length - 1; i >= 0; i--) {
      const d = done[i]!
      const exit = yield* Effect.exit(compensate(d))
      if (Exit.isSuccess(exit)) compensated.push(d.name)
      else failures.push({ step: d.name, error: errorToJson(Cause.squash(exit.cause)) })
    }
    // A defect propagates as it is once compensated, as in @tta/core.
    if (Cause.hasDies(cause)) return yield* Effect.failCause(cause)
    const error = Cause.squash(cause)
    return yield* Effect.fail(
      errorToJson(
        new CoreErrors.SagaError({
          primitive: sagaName,
          failedStep,
          error: errorToJson(error),
          compensated,
          compensationFailures: failures,
          message:
            `${sagaName}: step ${failedStep} failed (${CoreErrors.describeFailure(error)}); ` +
            `compensated [${compensated.join(", ")}]` +
            (failures.length > 0 ? `; compensation failed for ${failures.map((f) => f.step).join(", ")}` : "")
        })
      )
    )
  })
