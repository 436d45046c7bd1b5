import { assert, describe, it } from "@effect/vitest"
import { cache, FallbackError, fallback, lift, Metrics, step, TimeoutError, timeout } from "@tta/core"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { attr, metric, recorder, withMetrics } from "./support.ts"

describe("fallback", () => {
  const failWith = <const T extends string>(name: string, tag: T) =>
    step(name, (_: string) => Effect.fail({ _tag: tag, message: `${name} down` }))
  const ok = lift("local", (q: string) => `local:${q}`)

  it.effect("the first success wins; later alternatives do not run", () =>
    Effect.gen(function* () {
      let ran = false
      const never = step("never", (_: string) =>
        Effect.sync(() => {
          ran = true
          return "x"
        })
      )
      const f = fallback(failWith("openai", "A"), ok, never)
      assert.strictEqual(yield* f.run("q"), "local:q")
      assert.isFalse(ran)
    })
  )

  it.effect("when all fail, the error keeps every failure in order", () =>
    Effect.gen(function* () {
      const f = failWith("openai", "A").pipe(fallback([failWith("anthropic", "B"), failWith("local", "C")]))
      const error = yield* Effect.flip(f.run("q"))
      assert.instanceOf(error, FallbackError)
      assert.deepStrictEqual(
        error.failures.map((e) => e._tag),
        ["A", "B", "C"]
      )
      assert.deepStrictEqual(error.attempted, ["openai", "anthropic", "local"])
      assert.include(error.message, "anthropic (B: anthropic down)")
    })
  )

  it.effect("pipeable with one alternative; records which alternative served", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const f = failWith("openai", "A").pipe(fallback(ok))
      assert.strictEqual(yield* rec.provide(f.run("z")), "local:z")
      assert.strictEqual(attr(rec.named("tta.fallback")[0], "tta.fallback.index"), 1)
    })
  )

  it.effect("a defect is not recovered", () =>
    Effect.gen(function* () {
      const bug = step("bug", (_: string) => Effect.die(new Error("bug")))
      const exit = yield* Effect.exit(fallback(bug, ok).run("q"))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
    })
  )
})

describe("timeout", () => {
  it.effect("interrupts the inner work and fails with a typed TimeoutError (TestClock)", () =>
    Effect.gen(function* () {
      let interrupted = false
      let finished = false
      const slow = step("slow", (_: undefined) =>
        Effect.sleep("10 seconds").pipe(
          Effect.andThen(Effect.sync(() => (finished = true))),
          Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))
        )
      )
      const rec = recorder()
      const fiber = yield* Effect.forkChild(
        Effect.flip(rec.provide(slow.pipe(timeout("2 seconds")).run(undefined)))
      )
      yield* TestClock.adjust("1999 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, TimeoutError)
      assert.strictEqual(error.timeoutMillis, 2000)
      assert.include(error.message, "slow timed out after 2s")
      assert.isTrue(interrupted)
      yield* TestClock.adjust("1 minute")
      assert.isFalse(finished)
      const span = rec.named("tta.timeout")[0]!
      assert.strictEqual(attr(span, "tta.timeout.expired"), true)
      assert.isTrue(span.status._tag === "Ended" && Exit.isFailure(span.status.exit))
    })
  )

  it.effect("passes through a result that arrives in time", () =>
    Effect.gen(function* () {
      const quick = step("quick", (n: number) => Effect.as(Effect.sleep("1 second"), n))
      const fiber = yield* Effect.forkChild(timeout(quick, "2 seconds").run(4))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), 4)
    })
  )
})

describe("cache", () => {
  const counted = <Out>(f: (q: string) => Out) => {
    const calls: Array<string> = []
    const p = step("lookup", (q: string) =>
      Effect.sync(() => {
        calls.push(q)
        return f(q)
      })
    )
    return { p, calls }
  }

  it.effect("a hit skips the work; hits and misses are counted and traced", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const { p, calls } = counted((q) => q.toUpperCase())
      const c = p.pipe(cache({ key: (q) => q }))
      const { result, snapshot } = yield* withMetrics(
        rec.provide(Effect.all([c.run("a"), c.run("a"), c.run("b"), c.run("a")]))
      )
      assert.deepStrictEqual(result, Exit.succeed(["A", "A", "B", "A"]))
      assert.deepStrictEqual(calls, ["a", "b"])
      assert.strictEqual(metric(snapshot, Metrics.names.cacheHits, "cache(lookup)"), 2)
      assert.strictEqual(metric(snapshot, Metrics.names.cacheMisses, "cache(lookup)"), 2)
      assert.deepStrictEqual(
        rec.named("tta.cache").map((s) => attr(s, "tta.cache.hit")),
        [false, true, false, true]
      )
    })
  )

  it.effect("undefined and Option.none() are cached too", () =>
    Effect.gen(function* () {
      const u = counted(() => undefined)
      const cu = u.p.pipe(cache({ key: (q) => q }))
      assert.isUndefined(yield* cu.run("x"))
      assert.isUndefined(yield* cu.run("x"))
      assert.strictEqual(u.calls.length, 1)
      const n = counted(() => Option.none<number>())
      const cn = n.p.pipe(cache({ key: (q) => q }))
      assert.isTrue(Option.isNone(yield* cn.run("x")))
      assert.isTrue(Option.isNone(yield* cn.run("x")))
      assert.strictEqual(n.calls.length, 1)
    })
  )

  it.effect("entries expire after ttl (TestClock)", () =>
    Effect.gen(function* () {
      const { p, calls } = counted((q) => q)
      const c = p.pipe(cache({ key: (q) => q, ttl: "1 minute" }))
      yield* c.run("a")
      yield* TestClock.adjust("59 seconds")
      yield* c.run("a")
      assert.strictEqual(calls.length, 1)
      yield* TestClock.adjust("1 second")
      yield* c.run("a")
      assert.strictEqual(calls.length, 2)
    })
  )

  it.effect("evicts the least recently used entry past capacity", () =>
    Effect.gen(function* () {
      const { p, calls } = counted((q) => q)
      const c = p.pipe(cache({ key: (q) => q, capacity: 2 }))
      yield* c.run("a")
      yield* c.run("b")
      yield* c.run("a") // a is now the most recently used
      yield* c.run("c") // evicts b
      assert.strictEqual(yield* c.size, 2)
      yield* c.run("a")
      assert.deepStrictEqual(calls, ["a", "b", "c"])
      yield* c.run("b")
      assert.deepStrictEqual(calls, ["a", "b", "c", "b"])
    })
  )

  it.effect("concurrent misses for one key run the work once", () =>
    Effect.gen(function* () {
      let runs = 0
      const slow = step("slow", (q: string) =>
        Effect.suspend(() => {
          runs++
          return Effect.as(Effect.sleep("1 second"), `${q}!`)
        })
      )
      const c = slow.pipe(cache({ key: (q) => q }))
      const fiber = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 5 }, () => c.run("k")),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["k!", "k!", "k!", "k!", "k!"])
      assert.strictEqual(runs, 1)
    })
  )

  it.effect("failures are not cached, and waiting callers get the failure", () =>
    Effect.gen(function* () {
      let runs = 0
      const failing = step("failing", (_: string) =>
        Effect.suspend(() => {
          runs++
          return Effect.andThen(Effect.sleep("1 second"), Effect.fail(`fail ${runs}` as string))
        })
      )
      const c = failing.pipe(cache({ key: (q) => q }))
      const fiber = yield* Effect.forkChild(
        Effect.all([Effect.flip(c.run("k")), Effect.flip(c.run("k"))], { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["fail 1", "fail 1"])
      const again = yield* Effect.forkChild(Effect.flip(c.run("k")))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(again), "fail 2")
    })
  )

  it.effect("if the caller doing the work is interrupted, a waiting caller takes over", () =>
    Effect.gen(function* () {
      let runs = 0
      const slow = step("slow", (q: string) =>
        Effect.suspend(() => {
          runs++
          return Effect.as(Effect.sleep("1 second"), q)
        })
      )
      const c = slow.pipe(cache({ key: (q) => q }))
      const first = yield* Effect.forkChild(c.run("k"))
      yield* TestClock.adjust("10 millis")
      const second = yield* Effect.forkChild(c.run("k"))
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(second), "k")
      assert.strictEqual(runs, 2)
    })
  )
})
