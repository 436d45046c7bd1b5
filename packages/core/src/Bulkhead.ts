/**
 * `bulkhead({ maxConcurrent, maxQueue })`: at most `maxConcurrent` runs at once and at most
 * `maxQueue` waiting for a slot (first come, first served); beyond that, callers are turned away at
 * once with `BulkheadFullError`.
 */
import { Effect, Semaphore } from "effect"
import { dual } from "effect/Function"
import { BulkheadFullError } from "./Errors.ts"
import { isPrimitive, make, type Primitive, requireInt } from "./Primitive.ts"

export interface BulkheadOptions {
  readonly maxConcurrent: number
  /** Callers allowed to wait for a slot; 0 by default. */
  readonly maxQueue?: number | undefined
  readonly name?: string | undefined
}

export const bulkhead: {
  (
    options: BulkheadOptions
  ): <In, Out, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E | BulkheadFullError, R>
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options: BulkheadOptions
  ): Primitive<In, Out, E | BulkheadFullError, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options: BulkheadOptions
  ): Primitive<In, Out, E | BulkheadFullError, R> => {
    const name = options.name ?? `bulkhead(${self.name})`
    const maxConcurrent = requireInt(name, "maxConcurrent", options.maxConcurrent, 1)
    const maxQueue = requireInt(name, "maxQueue", options.maxQueue ?? 0, 0)
    const semaphore = Semaphore.makeUnsafe(maxConcurrent)
    const withPermit = semaphore.withPermits(1)
    // Running plus waiting.
    let admitted = 0
    const release = Effect.sync(() => {
      admitted--
    })
    return make({
      name,
      kind: "bulkhead",
      children: [self],
      meta: { maxConcurrent, maxQueue },
      run: (input: In) =>
        Effect.suspend((): Effect.Effect<Out, E | BulkheadFullError, R> => {
          if (admitted >= maxConcurrent + maxQueue) {
            return Effect.fail(
              new BulkheadFullError({
                primitive: name,
                maxConcurrent,
                maxQueue,
                message: `${name} is full: ${maxConcurrent} running and ${maxQueue} waiting`
              })
            )
          }
          admitted++
          return Effect.ensuring(withPermit(self.run(input)), release)
        })
    })
  }
)
