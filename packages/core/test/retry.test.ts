import { assert, describe, it } from "@effect/vitest"
import { InvalidOptionError, Metrics, retry, step } from "@tta/core"
import { Cause, Clock, Effect, Exit, Fiber, Schedule, Schema } from "effect"
import { TestClock } from "effect/testing"
import { attr, metric, recorder, withMetrics } from "./support.ts"

class Flaky extends Schema.TaggedError<Flaky>()("Flaky", { retryable: Schema.Boolean }) {}

/** A step that fails `failures` times, then succeeds; records the clock at each call. */
const flaky = (failures: number, retryable = true) => {
  const calls: Array<number> = []
  const p = step("flaky", (_: undefined) =>
    Effect.gen(function* () {
      calls.push(yield* Clock.currentTimeMillis)
      if (calls.length <= failures) return yield* new Flaky({ retryable })
      return calls.length
    })
  )
  return { p, calls }
}

describe("retry", () => {
  it.effect("retries typed failures; succeeds on the 3rd attempt; one span per attempt; counts retries", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const { p, calls } = flaky(2)
      const r = p.pipe(retry({ times: 3 }))
      const { result, snapshot } = yield* withMetrics(rec.provide(r.run(undefined)))
      assert.deepStrictEqual(result, Exit.succeed(3))
      assert.strictEqual(calls.length, 3)
      const attempts = rec.named("tta.retry.attempt")
      assert.deepStrictEqual(
        attempts.map((s) => attr(s, "tta.retry.attempt")),
        [1, 2, 3]
      )
      const retrySpan = rec.named("tta.retry")[0]!
      assert.strictEqual(attr(retrySpan, "tta.retry.attempts"), 3)
      // each attempt is a child of the retry span and the parent of one run of the step
      const steps = rec.named("tta.step")
      assert.strictEqual(steps.length, 3)
      attempts.forEach((a, i) => {
        assert.strictEqual(a.parent._tag === "Some" && a.parent.value.spanId, retrySpan.spanId)
        assert.strictEqual(steps[i]!.parent._tag === "Some" && steps[i]!.parent.value.spanId, a.spanId)
      })
      assert.strictEqual(metric(snapshot, Metrics.names.retries, "retry(flaky)"), 2)
    })
  )

  it.effect("gives up after `times` retries with the last typed error", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(10)
      const exit = yield* Effect.exit(p.pipe(retry({ times: 2 })).run(undefined))
      assert.strictEqual(calls.length, 3)
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(error, Flaky)
    })
  )

  it.effect("defaults to 3 retries", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(10)
      yield* Effect.exit(retry(p, {}).run(undefined))
      assert.strictEqual(calls.length, 4)
    })
  )

  it.effect("never retries a defect", () =>
    Effect.gen(function* () {
      let calls = 0
      const broken = step("broken", (_: undefined) =>
        Effect.suspend(() => {
          calls++
          return Effect.die(new Error("bug"))
        })
      )
      const exit = yield* Effect.exit(broken.pipe(retry({ times: 5 })).run(undefined))
      assert.strictEqual(calls, 1)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
    })
  )

  it.effect("`while` retries only the typed errors it accepts", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(10, false)
      const exit = yield* Effect.exit(p.pipe(retry({ times: 5, while: (e) => e.retryable })).run(undefined))
      assert.strictEqual(calls.length, 1)
      assert.isTrue(Exit.isFailure(exit))
      const ok = flaky(2, true)
      assert.deepStrictEqual(
        yield* Effect.exit(ok.p.pipe(retry({ times: 5, while: (e) => e.retryable })).run(undefined)),
        Exit.succeed(3)
      )
    })
  )

  it.effect("exponential backoff waits base, base×factor, … (TestClock)", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(3)
      const r = p.pipe(retry({ times: 5, backoff: { base: "100 millis", factor: 2, jitter: false } }))
      const fiber = yield* Effect.forkChild(r.run(undefined))
      yield* TestClock.adjust("99 millis")
      assert.strictEqual(calls.length, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(calls.length, 2)
      yield* TestClock.adjust("199 millis")
      assert.strictEqual(calls.length, 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(calls.length, 3)
      yield* TestClock.adjust("400 millis")
      assert.deepStrictEqual(calls, [0, 100, 300, 700])
      assert.strictEqual(yield* Fiber.join(fiber), 4)
    })
  )

  it.effect("backoff `max` caps each delay", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(3)
      const r = p.pipe(retry({ times: 5, backoff: { base: "100 millis", max: "150 millis", jitter: false } }))
      const fiber = yield* Effect.forkChild(r.run(undefined))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(calls, [0, 100, 250, 400])
      yield* Fiber.join(fiber)
    })
  )

  it.effect("jitter keeps each delay within 80–120% of the base delay", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(1)
      const fiber = yield* Effect.forkChild(
        p.pipe(retry({ times: 1, backoff: { base: "1 second" } })).run(undefined)
      )
      yield* TestClock.adjust("799 millis")
      assert.strictEqual(calls.length, 1)
      yield* TestClock.adjust("402 millis")
      assert.strictEqual(calls.length, 2)
      assert.isTrue(calls[1]! >= 800 && calls[1]! <= 1200)
      yield* Fiber.join(fiber)
    })
  )

  it.effect("accepts any Schedule", () =>
    Effect.gen(function* () {
      const { p, calls } = flaky(2)
      const fiber = yield* Effect.forkChild(
        p.pipe(retry({ schedule: Schedule.spaced("1 second") })).run(undefined)
      )
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(calls, [0, 1000, 2000])
      assert.strictEqual(yield* Fiber.join(fiber), 3)
    })
  )

  it("rejects bad options with a typed error naming the option", () => {
    const { p } = flaky(0)
    assert.throws(() => p.pipe(retry({ times: -1 })), InvalidOptionError, /times/)
    assert.throws(
      () => p.pipe(retry({ schedule: Schedule.recurs(1), backoff: { base: "1 second" } })),
      InvalidOptionError,
      /schedule or backoff/
    )
  })
})
