/**
 * `retry(options)`: runs the step again after a typed failure. Defects and interruptions are never
 * retried. With a tracer installed every attempt gets its own `tta.retry.attempt` span; retries
 * are counted in `tta.retry.retries` (when a metrics consumer is installed).
 */
import { Duration, Effect, Schedule } from "effect"
import { dual } from "effect/Function"
import { InvalidOptionError } from "./Errors.ts"
import * as Metrics from "./Metrics.ts"
import { currentSpan, isTracing, make, type Primitive, requireInt } from "./Primitive.ts"
import { withSpec } from "./Spec.ts"

export interface Backoff {
  /** Delay before the first retry. */
  readonly base: Duration.Input
  /** Growth per retry; 2 by default. */
  readonly factor?: number | undefined
  /** Upper bound of one delay (before jitter). */
  readonly max?: Duration.Input | undefined
  /** Multiply each delay by a random factor in [0.8, 1.2]; true by default. */
  readonly jitter?: boolean | undefined
}

export interface RetryOptions<E> {
  /**
   * Retries after the first attempt (so `times: 3` allows 4 attempts). Defaults to 3 when no
   * `schedule` is given; with a schedule it is an extra cap.
   */
  readonly times?: number | undefined
  /** Any Effect `Schedule` fed with the typed error; its delays are waited on between attempts. */
  readonly schedule?: Schedule.Schedule<unknown, E> | undefined
  /** Exponential backoff with jitter (cannot be combined with `schedule`). */
  readonly backoff?: Backoff | undefined
  /** Retry only typed errors for which this holds. */
  readonly while?: ((error: E) => boolean) | undefined
  readonly name?: string | undefined
}

/** The schedule `backoff` stands for: exponential, capped at `max`, jittered unless told not to. */
export const backoffSchedule = (backoff: Backoff): Schedule.Schedule<Duration.Duration> => {
  let schedule = Schedule.exponential(backoff.base, backoff.factor ?? 2)
  if (backoff.max !== undefined) {
    const max = Duration.fromInputUnsafe(backoff.max)
    schedule = Schedule.modifyDelay(schedule, ({ duration }) => Effect.succeed(Duration.min(duration, max)))
  }
  return backoff.jitter === false ? schedule : Schedule.jittered(schedule)
}

export const retry: {
  <E>(
    options: RetryOptions<NoInfer<E>>
  ): <In, Out, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E, R>
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: RetryOptions<NoInfer<E>>): Primitive<In, Out, E, R>
} = dual(
  2,
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: RetryOptions<E>): Primitive<In, Out, E, R> => {
    const name = options.name ?? `retry(${self.name})`
    if (options.schedule !== undefined && options.backoff !== undefined) {
      throw new InvalidOptionError({
        primitive: name,
        option: "backoff",
        message: `${name}: give either schedule or backoff, not both`
      })
    }
    const times = options.times ?? (options.schedule === undefined ? 3 : undefined)
    if (times !== undefined) requireInt(name, "times", times, 0)
    const schedule =
      options.schedule ?? (options.backoff !== undefined ? backoffSchedule(options.backoff) : undefined)
    const policy: {
      times?: number
      schedule?: Schedule.Schedule<unknown, E>
      while?: (error: E) => boolean
    } = {}
    if (times !== undefined) policy.times = times
    if (schedule !== undefined) policy.schedule = schedule as Schedule.Schedule<unknown, E>
    if (options.while !== undefined) policy.while = options.while
    const retryWhile = options.while
    const retries = Metrics.retries(Metrics.attributes(name, "retry"))
    const built = make({
      name,
      kind: "retry",
      children: [self],
      meta: {
        times,
        backoff: options.backoff
          ? { ...options.backoff, base: Duration.format(Duration.fromInputUnsafe(options.backoff.base)) }
          : undefined,
        schedule: options.schedule !== undefined ? "custom" : undefined,
        while: options.while !== undefined
      },
      run: (input: In) =>
        Effect.withFiber((fiber) => {
          const context = fiber.context
          const span = currentSpan(fiber)
          const attemptSpans = isTracing(fiber)
          const measuring = Metrics.isEnabled(fiber)
          let attempt = 0
          const once = Effect.suspend(() => {
            attempt++
            if (attempt > 1 && measuring) retries.updateUnsafe(1, context)
            return attemptSpans
              ? Effect.withSpan(self.run(input), "tta.retry.attempt", {
                  attributes: { "tta.primitive.name": name, "tta.retry.attempt": attempt },
                  captureStackTrace: false
                })
              : self.run(input)
          })
          let retried: Effect.Effect<Out, E, R>
          if (schedule === undefined) {
            // Nothing to wait for between attempts: this loop is what Effect.retry does with
            // `{ times, while }` (Effect.catch recovers the same typed errors), minus the
            // schedule step and context change it pays per attempt.
            const max = times ?? 0
            const loop: Effect.Effect<Out, E, R> = Effect.catch(once, (error: E) =>
              attempt <= max && (retryWhile === undefined || retryWhile(error)) ? loop : Effect.fail(error)
            )
            retried = loop
          } else retried = Effect.retry(once, policy) as Effect.Effect<Out, E, R>
          return span === undefined
            ? retried
            : Effect.onExit(retried, () => {
                span.attribute("tta.retry.attempts", attempt)
                return Effect.void
              })
        })
    })
    return withSpec(built, { kind: "retry", times, schedule, while: options.while })
  }
)
