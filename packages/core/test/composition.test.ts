import { assert, describe, it } from "@effect/vitest"
import { andThen, branch, lift, parallel, RouteNotFoundError, route, sequence, step } from "@tta/core"
import { Cause, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { attr, recorder } from "./support.ts"

const inc = lift("inc", (n: number) => n + 1)
const double = lift("double", (n: number) => n * 2)
const show = lift("show", (n: number) => `#${n}`)

describe("sequence / andThen", () => {
  it.effect("feeds each output to the next step", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* sequence(inc, double, show).run(1), "#4")
      assert.strictEqual(yield* inc.pipe(andThen(double), andThen(show)).run(1), "#4")
      assert.strictEqual(yield* andThen(inc, double).run(1), 4)
      assert.strictEqual(yield* sequence(...Array.from({ length: 100 }, () => inc)).run(0), 100)
    })
  )

  it.effect("stops at the first failure (later steps never run)", () =>
    Effect.gen(function* () {
      let ran = false
      const fail = step("fail", (_: number) => Effect.fail("stop" as const))
      const after = step("after", (n: number) =>
        Effect.sync(() => {
          ran = true
          return n
        })
      )
      const exit = yield* Effect.exit(sequence(inc, fail, after).run(0))
      assert.deepStrictEqual(exit, Exit.fail("stop"))
      assert.isFalse(ran)
    })
  )
})

describe("parallel", () => {
  const slow = (name: string, ms: number) =>
    step(name, (n: number) => Effect.as(Effect.sleep(ms), `${name}:${n}`))

  it.effect("struct: same input to all, struct of outputs, concurrently (TestClock)", () =>
    Effect.gen(function* () {
      const p = parallel({ a: slow("a", 1000), b: slow("b", 1000), n: inc })
      const fiber = yield* Effect.forkChild(p.run(7))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), { a: "a:7", b: "b:7", n: 8 })
    })
  )

  it.effect("tuple: outputs in order", () =>
    Effect.gen(function* () {
      const out = yield* parallel([inc, double, show]).run(5)
      assert.deepStrictEqual(out, [6, 10, "#5"])
    })
  )

  it.effect("concurrency bounds how many run at once", () =>
    Effect.gen(function* () {
      const p = parallel([slow("a", 1000), slow("b", 1000), slow("c", 1000)], { concurrency: 1 })
      const fiber = yield* Effect.forkChild(p.run(0))
      yield* TestClock.adjust("2 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["a:0", "b:0", "c:0"])
    })
  )

  it.effect("a failure interrupts the siblings still running", () =>
    Effect.gen(function* () {
      let interrupted = false
      let finished = false
      const long = step("long", (_: number) =>
        Effect.sleep("10 seconds").pipe(
          Effect.andThen(Effect.sync(() => (finished = true))),
          Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))
        )
      )
      const failing = step("failing", (_: number) =>
        Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom" as const))
      )
      const fiber = yield* Effect.forkChild(Effect.exit(parallel({ long, failing }).run(0)))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined, "boom")
      assert.isTrue(interrupted)
      yield* TestClock.adjust("20 seconds")
      assert.isFalse(finished)
    })
  )
})

describe("branch", () => {
  it.effect("runs onTrue or onFalse and records the choice on the span", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const b = branch((n: number) => n > 10, show, double)
      assert.strictEqual(yield* rec.provide(b.run(11)), "#11")
      assert.strictEqual(yield* rec.provide(b.run(3)), 6)
      assert.deepStrictEqual(
        rec.named("tta.branch").map((s) => attr(s, "tta.branch.taken")),
        [true, false]
      )
    })
  )

  it.effect("the predicate may be an Effect", () =>
    Effect.gen(function* () {
      const b = branch((n: number) => Effect.succeed(n % 2 === 0), inc, double)
      assert.deepStrictEqual([yield* b.run(2), yield* b.run(3)], [3, 6])
    })
  )
})

describe("route", () => {
  interface Ticket {
    readonly kind: string
    readonly n: number
  }
  const kind = (t: Ticket) => t.kind
  const bug = lift("bug", (t: Ticket) => `bug ${t.n}`)
  const feature = lift("feature", (t: Ticket) => `feature ${t.n}`)
  const other = lift("other", (t: Ticket) => `other ${t.kind}`)

  it.effect("runs the selected route; the key is on the span", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const r = route(kind, { bug, feature })
      assert.strictEqual(yield* rec.provide(r.run({ kind: "feature", n: 2 })), "feature 2")
      assert.strictEqual(attr(rec.named("tta.route")[0], "tta.route.key"), "feature")
      assert.deepStrictEqual(
        rec.named("tta.step").map((s) => attr(s, "tta.primitive.name")),
        ["feature"]
      )
    })
  )

  it.effect("an unknown key fails with RouteNotFoundError naming the key and the known ones", () =>
    Effect.gen(function* () {
      const r = route(kind, { bug, feature })
      const error = yield* Effect.flip(r.run({ kind: "question", n: 1 }))
      assert.instanceOf(error, RouteNotFoundError)
      assert.strictEqual(error.key, "question")
      assert.deepStrictEqual(error.known, ["bug", "feature"])
      assert.include(error.message, '"question"')
    })
  )

  it.effect("an unknown key runs the fallback when there is one", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const r = route(kind, { bug, feature }, other)
      assert.strictEqual(yield* rec.provide(r.run({ kind: "question", n: 1 })), "other question")
      assert.strictEqual(attr(rec.named("tta.route")[0], "tta.route.fallback"), true)
    })
  )
})
