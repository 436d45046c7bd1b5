/**
 * `fallback(primary, ...alternatives)`: the first step to succeed wins. When every one fails, the
 * `FallbackError` keeps each typed failure in order (defects are not recovered: they propagate).
 */
import { Effect } from "effect"
import { dual } from "effect/Function"
import { describeFailure, FallbackError } from "./Errors.ts"
import type { CommonInput } from "./Parallel.ts"
import {
  type Any,
  annotateSpan,
  type ContextOf,
  defaultName,
  type ErrorOf,
  make,
  type OutputOf,
  type Primitive
} from "./Primitive.ts"

export type Fallback<Ps extends Any> = Primitive<
  CommonInput<Ps>,
  OutputOf<Ps>,
  FallbackError<ErrorOf<Ps>>,
  ContextOf<Ps>
>

export const fallback: {
  /** Pipeable: `primary.pipe(fallback(alternative))` or `fallback([a, b])`. */
  <const Alts extends Any | readonly [Any, ...Array<Any>]>(
    alternatives: Alts
  ): <In, Out, E, R>(
    self: Primitive<In, Out, E, R>
  ) => Fallback<Primitive<In, Out, E, R> | (Alts extends ReadonlyArray<Any> ? Alts[number] : Alts)>
  <P extends Any, const Alts extends readonly [Any, ...Array<Any>]>(
    primary: P,
    ...alternatives: Alts
  ): Fallback<P | Alts[number]>
} = dual(
  (args) => args.length >= 2,
  (primary: Any, ...rest: Array<Any | ReadonlyArray<Any>>): Any => {
    const alternatives = rest.flat() as Array<Any>
    const all = [primary, ...alternatives]
    const name = defaultName("fallback", all)
    const attempted = all.map((p) => p.name)
    return make({
      name,
      kind: "fallback",
      children: all,
      meta: { labels: all.map((_, i) => (i === 0 ? "primary" : `alternative ${i}`)) },
      run: (input: unknown) =>
        Effect.suspend(() => {
          const failures: Array<unknown> = []
          const attempt = (i: number): Effect.Effect<unknown, unknown, unknown> =>
            Effect.catch(
              i === 0
                ? all[0]!.run(input)
                : Effect.andThen(annotateSpan({ "tta.fallback.index": i }), all[i]!.run(input)),
              (error) => {
                failures.push(error)
                if (i + 1 < all.length) return attempt(i + 1)
                return Effect.fail(
                  new FallbackError({
                    primitive: name,
                    attempted,
                    failures,
                    message: `${name}: all ${all.length} failed: ${failures
                      .map((f, j) => `${attempted[j]} (${describeFailure(f)})`)
                      .join("; ")}`
                  })
                )
              }
            )
          return attempt(0)
        })
    })
  }
)
