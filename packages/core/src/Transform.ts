/**
 * `map`, `tap` and `forEach`: reshape a step's output, observe it, or run a step over an array.
 */
import { Effect } from "effect"
import { dual } from "effect/Function"
import { annotateSpan, isPrimitive, make, type Primitive, requireInt } from "./Primitive.ts"
import { withSpec } from "./Spec.ts"

/** Transforms the output with a plain function. */
export const map: {
  <Out, Out2>(
    f: (output: Out) => Out2
  ): <In, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out2, E, R>
  <In, Out, E, R, Out2>(self: Primitive<In, Out, E, R>, f: (output: Out) => Out2): Primitive<In, Out2, E, R>
} = dual(
  2,
  <In, Out, E, R, Out2>(
    self: Primitive<In, Out, E, R>,
    f: (output: Out) => Out2
  ): Primitive<In, Out2, E, R> =>
    withSpec(
      make({
        name: `map(${self.name})`,
        kind: "map",
        children: [self],
        run: (input: In) => Effect.map(self.run(input), f)
      }),
      { kind: "map", f }
    )
)

/**
 * Runs a side effect with the output and passes the output on unchanged. The side effect's
 * failure fails the step.
 */
export const tap: {
  <Out, X, E2 = never, R2 = never>(
    f: (output: Out) => Effect.Effect<X, E2, R2>
  ): <In, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E | E2, R | R2>
  <In, Out, E, R, X, E2 = never, R2 = never>(
    self: Primitive<In, Out, E, R>,
    f: (output: Out) => Effect.Effect<X, E2, R2>
  ): Primitive<In, Out, E | E2, R | R2>
} = dual(
  2,
  <In, Out, E, R, X, E2, R2>(
    self: Primitive<In, Out, E, R>,
    f: (output: Out) => Effect.Effect<X, E2, R2>
  ): Primitive<In, Out, E | E2, R | R2> =>
    withSpec(
      make({
        name: `tap(${self.name})`,
        kind: "tap",
        children: [self],
        run: (input: In) => Effect.tap(self.run(input), f)
      }),
      { kind: "tap", f }
    )
)

export interface ForEachOptions {
  /** How many items run at once; 1 (in order) by default. */
  readonly concurrency?: number | "unbounded" | undefined
  readonly name?: string | undefined
}

/** Runs the step for every item of an array input; outputs keep the input order. */
export const forEach: {
  (
    options?: ForEachOptions
  ): <In, Out, E, R>(self: Primitive<In, Out, E, R>) => Primitive<ReadonlyArray<In>, Array<Out>, E, R>
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options?: ForEachOptions
  ): Primitive<ReadonlyArray<In>, Array<Out>, E, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options?: ForEachOptions
  ): Primitive<ReadonlyArray<In>, Array<Out>, E, R> => {
    const name = options?.name ?? `forEach(${self.name})`
    const concurrency = options?.concurrency ?? 1
    if (concurrency !== "unbounded") requireInt(name, "concurrency", concurrency, 1)
    const forEachOptions = { concurrency } as const
    return make({
      name,
      kind: "for-each",
      children: [self],
      meta: { concurrency },
      run: (inputs: ReadonlyArray<In>) =>
        Effect.andThen(
          annotateSpan({ "tta.for-each.items": inputs.length }),
          Effect.forEach(inputs, (item) => self.run(item), forEachOptions)
        )
    })
  }
)
