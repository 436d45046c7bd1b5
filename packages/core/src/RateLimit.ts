/**
 * `rateLimit({ limit, interval })`: at most `limit` runs start in any window of `interval`.
 * Callers over the limit wait (by the Effect `Clock`) for their slot, in arrival order; the wait is
 * recorded on the span as `tta.rate-limit.wait_ms`.
 */
import { Clock, Duration, Effect } from "effect"
import { dual } from "effect/Function"
import { annotateSpan, isPrimitive, make, type Primitive, requireDuration, requireInt } from "./Primitive.ts"

export interface RateLimitOptions {
  readonly limit: number
  readonly interval: Duration.Input
  readonly name?: string | undefined
}

export const rateLimit: {
  (options: RateLimitOptions): <In, Out, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E, R>
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: RateLimitOptions): Primitive<In, Out, E, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: RateLimitOptions): Primitive<In, Out, E, R> => {
    const name = options.name ?? `rateLimit(${self.name})`
    const limit = requireInt(name, "limit", options.limit, 1)
    const interval = requireDuration(name, "interval", options.interval)
    const intervalMillis = Duration.toMillis(interval)
    // Start times granted so far (the last `limit` of them), non-decreasing.
    const starts: Array<number> = []
    return make({
      name,
      kind: "rate-limit",
      children: [self],
      meta: { limit, interval: Duration.format(interval) },
      run: (input: In) =>
        Effect.withFiber((fiber) => {
          const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
          const slot = starts.length < limit ? now : Math.max(now, starts[0]! + intervalMillis)
          starts.push(slot)
          if (starts.length > limit) starts.shift()
          const wait = slot - now
          if (wait <= 0) return self.run(input)
          return Effect.andThen(
            Effect.andThen(annotateSpan({ "tta.rate-limit.wait_ms": wait }), Effect.sleep(wait)),
            self.run(input)
          )
        })
    })
  }
)
