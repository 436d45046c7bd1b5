import { assert, describe, it } from "@effect/vitest"
import {
  BulkheadFullError,
  bulkhead,
  CircuitOpenError,
  circuitBreaker,
  forEach,
  lift,
  Metrics,
  map,
  rateLimit,
  step,
  tap
} from "@tta/core"
import { Clock, Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { attr, metric, recorder, withMetrics } from "./support.ts"

describe("circuitBreaker", () => {
  /** A step whose outcome the test switches; counts the calls that got through. */
  const service = () => {
    const state = { healthy: false, calls: 0 }
    const p = step("service", (_: undefined) =>
      Effect.suspend(() => {
        state.calls++
        return state.healthy ? Effect.succeed("ok") : Effect.fail("down" as const)
      })
    )
    return { p, state }
  }

  it.effect(
    "opens after failureThreshold failures, fails fast, half-opens after resetAfter, closes on success",
    () =>
      Effect.gen(function* () {
        const { p, state } = service()
        const cb = p.pipe(circuitBreaker({ failureThreshold: 3, resetAfter: "30 seconds" }))
        const { result, snapshot } = yield* withMetrics(
          Effect.gen(function* () {
            for (let i = 0; i < 3; i++) assert.strictEqual(yield* Effect.flip(cb.run(undefined)), "down")
            assert.strictEqual(yield* cb.state, "open")
            const open = yield* Effect.flip(cb.run(undefined))
            assert.instanceOf(open, CircuitOpenError)
            assert.strictEqual(open.state, "open")
            assert.strictEqual(open.retryAfterMillis, 30_000)
            assert.strictEqual(state.calls, 3)
            yield* TestClock.adjust("29 seconds")
            assert.instanceOf(yield* Effect.flip(cb.run(undefined)), CircuitOpenError)
            assert.strictEqual(state.calls, 3)
            yield* TestClock.adjust("1 second")
            assert.strictEqual(yield* cb.state, "half-open")
            state.healthy = true
            assert.strictEqual(yield* cb.run(undefined), "ok")
            assert.strictEqual(yield* cb.state, "closed")
            assert.strictEqual(state.calls, 4)
          })
        )
        assert.isTrue(Exit.isSuccess(result), String(result))
        assert.strictEqual(metric(snapshot, Metrics.names.breakerState, "circuitBreaker(service)"), 0)
      })
  )

  it.effect("a successful call resets the consecutive-failure count", () =>
    Effect.gen(function* () {
      const { p, state } = service()
      const cb = p.pipe(circuitBreaker({ failureThreshold: 2, resetAfter: "1 second" }))
      yield* Effect.flip(cb.run(undefined))
      state.healthy = true
      yield* cb.run(undefined)
      state.healthy = false
      yield* Effect.flip(cb.run(undefined))
      assert.strictEqual(yield* cb.state, "closed")
    })
  )

  it.effect("a failed probe opens the breaker again; the gauge follows", () =>
    Effect.gen(function* () {
      const { p, state } = service()
      const cb = p.pipe(circuitBreaker({ failureThreshold: 1, resetAfter: "10 seconds" }))
      const { snapshot } = yield* withMetrics(
        Effect.gen(function* () {
          yield* Effect.flip(cb.run(undefined))
          yield* TestClock.adjust("10 seconds")
          assert.strictEqual(yield* Effect.flip(cb.run(undefined)), "down") // the probe
          assert.strictEqual(yield* cb.state, "open")
          assert.strictEqual(state.calls, 2)
          const error = yield* Effect.flip(cb.run(undefined))
          assert.instanceOf(error, CircuitOpenError)
          assert.strictEqual(error.retryAfterMillis, 10_000)
        })
      )
      assert.strictEqual(metric(snapshot, Metrics.names.breakerState, "circuitBreaker(service)"), 2)
    })
  )

  it.effect("half-open lets at most halfOpenMax probes through at once", () =>
    Effect.gen(function* () {
      let healthy = false
      let calls = 0
      const gate = yield* Deferred.make<void>()
      const slow = step("slow", (_: undefined) =>
        Effect.suspend(() => {
          calls++
          return healthy ? Effect.as(Deferred.await(gate), "ok") : Effect.fail("down" as const)
        })
      )
      const rec = recorder()
      const cb = slow.pipe(circuitBreaker({ failureThreshold: 1, resetAfter: "1 second", halfOpenMax: 2 }))
      yield* Effect.flip(cb.run(undefined))
      yield* TestClock.adjust("1 second")
      healthy = true
      const probes = yield* Effect.forkChild(
        Effect.all([cb.run(undefined), cb.run(undefined)], { concurrency: "unbounded" }).pipe(rec.provide)
      )
      yield* TestClock.adjust("1 millis")
      const third = yield* Effect.flip(cb.run(undefined))
      assert.instanceOf(third, CircuitOpenError)
      assert.strictEqual(third.state, "half-open")
      assert.strictEqual(calls, 3)
      yield* Deferred.succeed(gate, undefined)
      assert.deepStrictEqual(yield* Fiber.join(probes), ["ok", "ok"])
      assert.strictEqual(yield* cb.state, "closed")
      assert.deepStrictEqual(
        rec.named("tta.circuit-breaker").map((s) => attr(s, "tta.circuit-breaker.probe")),
        [true, true]
      )
    })
  )

  it.effect("state is shared by every run of one instance, not across instances", () =>
    Effect.gen(function* () {
      const { p } = service()
      const a = p.pipe(circuitBreaker({ failureThreshold: 1, resetAfter: "1 minute" }))
      const b = p.pipe(circuitBreaker({ failureThreshold: 1, resetAfter: "1 minute" }))
      yield* Effect.flip(a.run(undefined))
      assert.instanceOf(yield* Effect.flip(a.run(undefined)), CircuitOpenError)
      assert.strictEqual(yield* Effect.flip(b.run(undefined)), "down")
    })
  )
})

describe("rateLimit", () => {
  it.effect("at most `limit` starts per interval; the others wait their turn (TestClock)", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      const work = step("work", (n: number) =>
        Effect.as(
          Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t))),
          n
        )
      )
      const limited = work.pipe(rateLimit({ limit: 2, interval: "1 second" }))
      const fiber = yield* Effect.forkChild(
        Effect.all(
          [1, 2, 3, 4, 5].map((n) => limited.run(n)),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(starts, [0, 0])
      yield* TestClock.adjust("990 millis")
      assert.deepStrictEqual(starts, [0, 0, 1000, 1000])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [1, 2, 3, 4, 5])
      assert.deepStrictEqual(starts, [0, 0, 1000, 1000, 2000])
    })
  )
})

describe("bulkhead", () => {
  it.effect("runs at most maxConcurrent at once, queues up to maxQueue, rejects the rest", () =>
    Effect.gen(function* () {
      let running = 0
      let peak = 0
      const work = step("work", (n: number) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            running++
            peak = Math.max(peak, running)
          }),
          () => Effect.as(Effect.sleep("1 second"), n),
          () => Effect.sync(() => running--)
        )
      )
      const b = work.pipe(bulkhead({ maxConcurrent: 2, maxQueue: 1 }))
      const fibers = yield* Effect.forEach([1, 2, 3], (n) => Effect.forkChild(b.run(n)))
      yield* TestClock.adjust("1 millis")
      const rejected = yield* Effect.flip(b.run(4))
      assert.instanceOf(rejected, BulkheadFullError)
      assert.include(rejected.message, "2 running and 1 waiting")
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(yield* Effect.forEach(fibers, Fiber.join), [1, 2, 3])
      assert.strictEqual(peak, 2)
      // slots are given back
      const again = yield* Effect.forkChild(b.run(5))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(again), 5)
    })
  )
})

describe("map / tap / forEach", () => {
  it.effect("map reshapes, tap observes", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const p = lift("len", (s: string) => s.length).pipe(
        tap((n) => Effect.sync(() => seen.push(n))),
        map((n) => n * 10)
      )
      assert.strictEqual(yield* p.run("abc"), 30)
      assert.deepStrictEqual(seen, [3])
    })
  )

  it.effect("forEach runs over an array with bounded concurrency, keeping order", () =>
    Effect.gen(function* () {
      let running = 0
      let peak = 0
      const work = step("work", (n: number) =>
        Effect.suspend(() => {
          running++
          peak = Math.max(peak, running)
          return Effect.as(
            Effect.ensuring(
              Effect.sleep(`${10 - n} millis`),
              Effect.sync(() => running--)
            ),
            n * n
          )
        })
      )
      const fiber = yield* Effect.forkChild(work.pipe(forEach({ concurrency: 3 })).run([1, 2, 3, 4, 5, 6]))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [1, 4, 9, 16, 25, 36])
      assert.strictEqual(peak, 3)
    })
  )
})
