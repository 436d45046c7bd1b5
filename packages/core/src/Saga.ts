/**
 * `saga(a, b, c)`: steps run in order, each output feeding the next (like `sequence`). Steps made
 * with `compensate(action, undo)` know how to undo themselves. When a step fails, the steps that
 * completed before it are compensated in reverse order, each exactly once and each given its own
 * output (and input). A typed failure becomes a `SagaError` that also reports every compensation
 * that failed; defects and interruptions propagate after compensating.
 */
import { Cause, Effect, type Exit } from "effect"
import { dual } from "effect/Function"
import { type CompensationFailure, describeFailure, SagaError } from "./Errors.ts"
import { type Any, defaultName, isPrimitive, make, type Primitive, withSpan } from "./Primitive.ts"
import type { Chained, Sequence } from "./Sequence.ts"

export const CompensationId = "~@tta/core/Saga/compensation" as const

/** A step that carries its own undo. */
export interface SagaStep<In, Out, E = never, R = never, CE = never, CR = never>
  extends Primitive<In, Out, E, R> {
  readonly [CompensationId]: (output: Out, input: In) => Effect.Effect<unknown, CE, CR>
}

type CompensationContext<P> = P extends SagaStep<any, any, any, any, any, infer CR> ? CR : never

/** Attaches an undo to a step: `reserve.pipe(compensate((reservation) => release(reservation)))`. */
export const compensate: {
  <Out, In, CE = never, CR = never>(
    undo: (output: Out, input: In) => Effect.Effect<unknown, CE, CR>
  ): <E, R>(self: Primitive<In, Out, E, R>) => SagaStep<In, Out, E, R, CE, CR>
  <In, Out, E, R, CE = never, CR = never>(
    self: Primitive<In, Out, E, R>,
    undo: (output: Out, input: In) => Effect.Effect<unknown, CE, CR>
  ): SagaStep<In, Out, E, R, CE, CR>
} = dual(
  2,
  <In, Out, E, R, CE, CR>(
    self: Primitive<In, Out, E, R>,
    undo: (output: Out, input: In) => Effect.Effect<unknown, CE, CR>
  ): SagaStep<In, Out, E, R, CE, CR> =>
    // Same primitive (no extra span level), plus the undo.
    Object.assign(Object.create(self) as Primitive<In, Out, E, R>, { [CompensationId]: undo })
)

const compensationOf = (
  p: Any
): ((output: unknown, input: unknown) => Effect.Effect<unknown, unknown, unknown>) | undefined =>
  CompensationId in p
    ? (p as SagaStep<unknown, unknown, unknown, unknown, unknown, unknown>)[CompensationId]
    : undefined

type Saga<Ps extends ReadonlyArray<Any>> =
  Sequence<Ps> extends Primitive<infer In, infer Out, infer E, infer R>
    ? Primitive<In, Out, SagaError<E>, R | CompensationContext<Ps[number]>>
    : never

interface Completed {
  readonly step: Any
  readonly input: unknown
  readonly output: unknown
}

/** Runs the steps in order; on failure undoes the completed ones in reverse. */
export function saga<const Ps extends readonly [Any, ...Array<Any>]>(...steps: Ps & Chained<Ps>): Saga<Ps>
export function saga(...steps: ReadonlyArray<Any>): Any {
  if (steps.length === 0) throw new TypeError("saga needs at least one step")
  const name = defaultName("saga", steps)
  const n = steps.length

  const compensateAll = (done: ReadonlyArray<Completed>) =>
    Effect.suspend(() => {
      const compensated: Array<string> = []
      const failures: Array<CompensationFailure> = []
      let chain: Effect.Effect<void, never, unknown> = Effect.void
      for (let i = done.length - 1; i >= 0; i--) {
        const { step, input, output } = done[i]!
        const undo = compensationOf(step)
        if (undo === undefined) continue
        chain = Effect.andThen(
          chain,
          Effect.exit(
            withSpan(
              Effect.suspend(() => undo(output, input)),
              "tta.saga.compensate",
              {
                attributes: { "tta.primitive.name": name, "tta.saga.step": step.name }
              }
            )
          ).pipe(
            Effect.tap((exit: Exit.Exit<unknown, unknown>) =>
              Effect.sync(() => {
                if (exit._tag === "Success") compensated.push(step.name)
                else failures.push({ step: step.name, error: Cause.squash(exit.cause) })
              })
            ),
            Effect.asVoid
          )
        )
      }
      return Effect.as(chain, { compensated, failures })
    })

  return make({
    name,
    kind: "saga",
    children: steps,
    meta: {
      labels: steps.map((_, i) => String(i + 1)),
      compensated: steps.filter((s) => compensationOf(s) !== undefined).map((s) => s.name)
    },
    run: (input: unknown) =>
      Effect.uninterruptibleMask((restore) => {
        const done: Array<Completed> = []
        const go = (i: number, value: unknown): Effect.Effect<unknown, unknown, unknown> =>
          Effect.flatMap(steps[i]!.run(value), (output) => {
            done.push({ step: steps[i]!, input: value, output })
            return i + 1 === n ? Effect.succeed(output) : go(i + 1, output)
          })
        return Effect.flatMap(Effect.exit(restore(go(0, input))), (exit) => {
          if (exit._tag === "Success") return exit
          const failedStep = steps[done.length]?.name ?? "?"
          return Effect.flatMap(compensateAll(done), ({ compensated, failures }) => {
            const cause = exit.cause
            const error = Cause.findErrorOption(cause)
            const report = (e: unknown) =>
              new SagaError({
                primitive: name,
                failedStep,
                error: e,
                compensated,
                compensationFailures: failures,
                message:
                  `${name}: step ${failedStep} failed (${describeFailure(e)}); ` +
                  `compensated [${compensated.join(", ")}]` +
                  (failures.length > 0
                    ? `; compensation failed for ${failures.map((f) => `${f.step} (${describeFailure(f.error)})`).join(", ")}`
                    : "")
              })
            if (error._tag === "Some" && !Cause.hasDies(cause) && !Cause.hasInterrupts(cause)) {
              return Effect.fail(report(error.value))
            }
            // Defects and interruptions keep their cause; failed compensations are added as a defect.
            return Effect.failCause(
              failures.length === 0 ? cause : Cause.combine(cause, Cause.die(report(Cause.squash(cause))))
            )
          })
        })
      })
  })
}

export const isSagaStep = (u: unknown): u is SagaStep<unknown, unknown, unknown, unknown, unknown, unknown> =>
  isPrimitive(u) && CompensationId in u
