/**
 * A custom primitive built with `make`: `hedge(delay)` runs the step and, if it has not finished
 * after `delay`, starts a duplicate. The first success wins and the other run is interrupted.
 * Used in docs/custom-primitives.md and tested in test/hedge.test.ts.
 */
import { make, type Primitive } from "@tta/core"
import { Duration, Effect } from "effect"
import { dual } from "effect/Function"

export const hedge: {
  (
    delay: Duration.Input
  ): <In, Out, E, R>(self: Primitive.Primitive<In, Out, E, R>) => Primitive.Primitive<In, Out, E, R>
  <In, Out, E, R>(
    self: Primitive.Primitive<In, Out, E, R>,
    delay: Duration.Input
  ): Primitive.Primitive<In, Out, E, R>
} = dual(
  2,
  <In, Out, E, R>(
    self: Primitive.Primitive<In, Out, E, R>,
    delay: Duration.Input
  ): Primitive.Primitive<In, Out, E, R> =>
    make({
      name: `hedge(${self.name})`,
      kind: "hedge",
      children: [self],
      meta: { delay: Duration.format(Duration.fromInputUnsafe(delay)) },
      run: (input: In) =>
        Effect.race(
          self.run(input).pipe(Effect.tap(() => Effect.annotateCurrentSpan("tta.hedge.winner", "primary"))),
          self.run(input).pipe(
            Effect.delay(delay),
            Effect.tap(() => Effect.annotateCurrentSpan("tta.hedge.winner", "hedge"))
          )
        )
    })
)
