/**
 * `circuitBreaker({ failureThreshold, resetAfter, halfOpenMax })`: after `failureThreshold`
 * consecutive failures the breaker opens and fails fast with `CircuitOpenError`. After `resetAfter`
 * it lets `halfOpenMax` probe runs through (half-open): when all of them succeed it closes, when one
 * fails it opens again. State is shared by every run of one breaker instance and reported in the
 * `tta.circuit-breaker.state` gauge (0 closed, 1 half-open, 2 open).
 */
import { Cause, Clock, type Context, Duration, Effect, type Exit, Option } from "effect"
import { dual } from "effect/Function"
import { CircuitOpenError, InvalidOptionError } from "./Errors.ts"
import * as Metrics from "./Metrics.ts"
import { annotateSpan, isPrimitive, make, type Primitive, requireInt } from "./Primitive.ts"

export type BreakerState = "closed" | "open" | "half-open"

export interface CircuitBreakerOptions<E> {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number
  /** How long the breaker stays open before it lets probes through. */
  readonly resetAfter: Duration.Input
  /** Probe runs allowed while half-open; all must succeed to close. 1 by default. */
  readonly halfOpenMax?: number | undefined
  /** Which typed errors count as failures (all by default). Defects always count. */
  readonly isFailure?: ((error: E) => boolean) | undefined
  readonly name?: string | undefined
}

export interface CircuitBreaker<In, Out, E, R> extends Primitive<In, Out, E | CircuitOpenError, R> {
  /** The state a call made now would see. */
  readonly state: Effect.Effect<BreakerState>
}

export const circuitBreaker: {
  <E>(
    options: CircuitBreakerOptions<NoInfer<E>>
  ): <In, Out, R>(self: Primitive<In, Out, E, R>) => CircuitBreaker<In, Out, E, R>
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options: CircuitBreakerOptions<NoInfer<E>>
  ): CircuitBreaker<In, Out, E, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    options: CircuitBreakerOptions<E>
  ): CircuitBreaker<In, Out, E, R> => {
    const name = options.name ?? `circuitBreaker(${self.name})`
    const threshold = requireInt(name, "failureThreshold", options.failureThreshold, 1)
    const halfOpenMax = requireInt(name, "halfOpenMax", options.halfOpenMax ?? 1, 1)
    const reset = Option.getOrUndefined(Duration.fromInput(options.resetAfter))
    if (reset === undefined || Duration.toMillis(reset) < 0) {
      throw new InvalidOptionError({
        primitive: name,
        option: "resetAfter",
        message: `${name}: resetAfter must be a non-negative Duration, got ${String(options.resetAfter)}`
      })
    }
    const resetMillis = Duration.toMillis(reset)
    // Written on transitions only (rare), so unlike the per-run metrics it is kept whether or not
    // a metrics consumer is installed: one installed later still reads the current state.
    const gauge = Metrics.breakerState(Metrics.attributes(name, "circuit-breaker"))

    let state: BreakerState = "closed"
    let failures = 0
    let openedAt = 0
    let probesInFlight = 0
    let probeSuccesses = 0
    // Bumped on every transition, so a run admitted under an older state cannot move the new one.
    let generation = 0
    let reported = false

    const transition = (to: BreakerState, now: number, context: Context.Context<never>) => {
      state = to
      generation++
      failures = 0
      probesInFlight = 0
      probeSuccesses = 0
      if (to === "open") openedAt = now
      gauge.updateUnsafe(Metrics.breakerStateValue[to], context)
      reported = true
    }

    const counts = (exit: Exit.Failure<Out, E>): boolean => {
      if (Cause.hasInterruptsOnly(exit.cause)) return false
      if (Cause.hasDies(exit.cause) || options.isFailure === undefined) return true
      const error = Cause.findErrorOption(exit.cause)
      return Option.isNone(error) || options.isFailure(error.value)
    }

    const rejected = (now: number) =>
      new CircuitOpenError({
        primitive: name,
        state: state === "open" ? "open" : "half-open",
        retryAfterMillis: state === "open" ? Math.max(0, openedAt + resetMillis - now) : 0,
        message:
          state === "open"
            ? `${name} is open after ${threshold} consecutive failures; retry in ${Math.max(0, openedAt + resetMillis - now)} ms`
            : `${name} is half-open and its ${halfOpenMax} probe slot(s) are taken`
      })

    const current = (now: number): BreakerState =>
      state === "open" && now - openedAt >= resetMillis ? "half-open" : state

    const primitive = make({
      name,
      kind: "circuit-breaker",
      children: [self],
      meta: { failureThreshold: threshold, resetAfter: Duration.format(reset), halfOpenMax },
      run: (input: In) =>
        Effect.withFiber((fiber): Effect.Effect<Out, E | CircuitOpenError, R> => {
          const context = fiber.context
          const clock = fiber.getRef(Clock.Clock)
          const now = clock.currentTimeMillisUnsafe()
          if (!reported) {
            gauge.updateUnsafe(Metrics.breakerStateValue[state], context)
            reported = true
          }
          if (state === "open" && current(now) === "half-open") transition("half-open", now, context)
          const admitted = generation
          if (state === "open") {
            return Effect.andThen(
              annotateSpan({ "tta.circuit-breaker.state": state }),
              Effect.fail(rejected(now))
            )
          }
          if (state === "half-open") {
            if (probesInFlight + probeSuccesses >= halfOpenMax) {
              return Effect.andThen(
                annotateSpan({ "tta.circuit-breaker.state": state }),
                Effect.fail(rejected(now))
              )
            }
            probesInFlight++
            return Effect.andThen(
              annotateSpan({ "tta.circuit-breaker.state": state, "tta.circuit-breaker.probe": true }),
              Effect.onExit(self.run(input), (exit) =>
                Effect.sync(() => {
                  if (admitted !== generation) return
                  probesInFlight--
                  const end = clock.currentTimeMillisUnsafe()
                  if (exit._tag === "Success") {
                    probeSuccesses++
                    if (probeSuccesses >= halfOpenMax) transition("closed", end, context)
                  } else if (counts(exit)) {
                    transition("open", end, context)
                  }
                })
              )
            )
          }
          return Effect.andThen(
            annotateSpan({ "tta.circuit-breaker.state": state }),
            Effect.onExit(self.run(input), (exit) =>
              Effect.sync(() => {
                if (admitted !== generation) return
                if (exit._tag === "Success") {
                  failures = 0
                } else if (counts(exit)) {
                  failures++
                  if (failures >= threshold) transition("open", clock.currentTimeMillisUnsafe(), context)
                }
              })
            )
          )
        })
    })
    return Object.assign(primitive, {
      state: Effect.clockWith((clock) => Effect.sync(() => current(clock.currentTimeMillisUnsafe())))
    }) as CircuitBreaker<In, Out, E, R>
  }
)
