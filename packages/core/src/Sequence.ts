/**
 * `sequence(a, b, c)`: the output of each step is the input of the next. A step whose input type
 * does not accept the previous output is a compile error at that argument.
 */
import { Effect } from "effect"
import { dual } from "effect/Function"
import {
  type Any,
  type ContextOf,
  defaultName,
  type ErrorOf,
  type InputOf,
  make,
  type OutputOf,
  type Primitive,
  plainRun
} from "./Primitive.ts"

type Last<Ps extends ReadonlyArray<Any>> = Ps extends readonly [...ReadonlyArray<Any>, infer L] ? L : never

/** The output of the step before each position (`unknown` before the first). */
type PreviousOutputs<Ps extends ReadonlyArray<Any>> = Ps extends readonly [
  ...infer Init extends ReadonlyArray<Any>,
  Any
]
  ? [unknown, ...{ [K in keyof Init]: OutputOf<Init[K]> }]
  : never

type Previous<Ps extends ReadonlyArray<Any>, K> = PreviousOutputs<Ps>[K & keyof PreviousOutputs<Ps>]

/**
 * The tuple of steps `sequence` accepts for `Ps`: each step as given when its input accepts the
 * previous output, otherwise the type it would need to have (so the error points at that step).
 * A mapped type over the tuple rather than a recursive one: a recursive check made TypeScript infer
 * `Ps` wrongly when an argument is itself a generic call (`sequence(fallback(a, b), c)` failed
 * with TS2769).
 */
export type Chained<Ps extends ReadonlyArray<Any>> = {
  [K in keyof Ps]: K extends "0"
    ? Ps[K]
    : [Previous<Ps, K>] extends [InputOf<Ps[K]>]
      ? Ps[K]
      : Primitive<Previous<Ps, K>, OutputOf<Ps[K]>, ErrorOf<Ps[K]>, ContextOf<Ps[K]>>
}

/** The primitive a sequence of `Ps` builds. */
export type Sequence<Ps extends ReadonlyArray<Any>> = Primitive<
  InputOf<Ps[0]>,
  OutputOf<Last<Ps>>,
  ErrorOf<Ps[number]>,
  ContextOf<Ps[number]>
>

type Run = (input: unknown) => Effect.Effect<unknown, unknown, unknown>

const runChain = (runs: ReadonlyArray<Run>): Run => {
  const n = runs.length
  const go = (i: number, value: unknown): Effect.Effect<unknown, unknown, unknown> =>
    i === n - 1 ? runs[i]!(value) : Effect.flatMap(runs[i]!(value), (next) => go(i + 1, next))
  return (input: unknown) => go(0, input)
}

const build = (steps: ReadonlyArray<Any>, name?: string): Any =>
  make({
    name: name ?? defaultName("sequence", steps),
    kind: "sequence",
    children: steps,
    meta: { labels: steps.map((_, i) => String(i + 1)) },
    run: runChain(steps.map((s) => s.run)),
    plain: runChain(steps.map(plainRun))
  })

/**
 * Runs the steps one after another, feeding each output to the next step.
 *
 * With a literal list the types are checked pairwise; with a spread array (`sequence(...steps)`)
 * every step must map a type to itself.
 */
export function sequence<const Ps extends readonly [Any, ...Array<Any>]>(
  ...steps: Ps & Chained<Ps>
): Sequence<Ps>
export function sequence<A, E, R>(...steps: ReadonlyArray<Primitive<A, A, E, R>>): Primitive<A, A, E, R>
export function sequence(...steps: ReadonlyArray<Any>): Any {
  if (steps.length === 0) throw new TypeError("sequence needs at least one step")
  return build(steps)
}

/** `self` then `next` (a two-step sequence). */
export const andThen: {
  <Out, Out2, E2, R2>(
    next: Primitive<Out, Out2, E2, R2>
  ): <In, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out2, E | E2, R | R2>
  <In, Out, E, R, Out2, E2, R2>(
    self: Primitive<In, Out, E, R>,
    next: Primitive<Out, Out2, E2, R2>
  ): Primitive<In, Out2, E | E2, R | R2>
} = dual(2, (self: Any, next: Any): Any => build([self, next]))
