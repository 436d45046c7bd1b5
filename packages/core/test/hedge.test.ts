// The worked example of docs/custom-primitives.md: the code lives in examples/hedge.ts.
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { describe as describeTree, retry, step, timeout } from "@tta/core"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { hedge } from "../examples/hedge.ts"
import { attr, recorder } from "./support.ts"

/** A service whose n-th call takes latencies[n] milliseconds; records interrupted calls. */
const service = (latencies: ReadonlyArray<number>) => {
  const log: Array<string> = []
  let calls = 0
  const p = step("search", (q: string) =>
    Effect.suspend(() => {
      const n = calls++
      return Effect.sleep(latencies[n]!).pipe(
        Effect.as(`${q} from call ${n}`),
        Effect.onInterrupt(() => Effect.sync(() => log.push(`call ${n} interrupted`)))
      )
    })
  )
  return { p, log, calls: () => calls }
}

describe("hedge (custom primitive)", () => {
  it.effect("a fast primary answers alone; no duplicate is started", () =>
    Effect.gen(function* () {
      const s = service([100])
      const fiber = yield* Effect.forkChild(s.p.pipe(hedge("1 second")).run("q"))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "q from call 0")
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(s.calls(), 1)
    })
  )

  it.effect("a slow primary is overtaken by the duplicate, which wins; the primary is interrupted", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const s = service([5000, 100])
      const fiber = yield* Effect.forkChild(rec.provide(s.p.pipe(hedge("1 second")).run("q")))
      yield* TestClock.adjust("1099 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "q from call 1")
      assert.deepStrictEqual(s.log, ["call 0 interrupted"])
      const span = rec.named("tta.hedge")[0]
      assert.strictEqual(attr(span, "tta.primitive.name"), "hedge(search)")
      assert.strictEqual(attr(span, "tta.hedge.winner"), "hedge")
      assert.strictEqual(rec.named("tta.step").length, 2)
    })
  )

  it.effect("composes with the built-ins and shows up in describe", () =>
    Effect.gen(function* () {
      const s = service([5000, 5000, 5000, 5000])
      const p = s.p.pipe(hedge("1 second"), timeout("3 seconds"), retry({ times: 0 }))
      const fiber = yield* Effect.forkChild(Effect.flip(p.run("q")))
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual((yield* Fiber.join(fiber))._tag, "TimeoutError")
      assert.deepStrictEqual(s.log.sort(), ["call 0 interrupted", "call 1 interrupted"])
      const tree = describeTree(p)
      assert.deepStrictEqual(
        [tree.kind, tree.children[0]!.kind, tree.children[0]!.children[0]!.kind],
        ["retry", "timeout", "hedge"]
      )
      assert.strictEqual(tree.children[0]!.children[0]!.meta.delay, "1s")
    })
  )
})

describe("docs/custom-primitives.md", () => {
  it("shows examples/hedge.ts verbatim", () => {
    const doc = readFileSync(new URL("../../../docs/custom-primitives.md", import.meta.url), "utf8")
    const code = readFileSync(new URL("../examples/hedge.ts", import.meta.url), "utf8").trimEnd()
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1])
    assert.include(blocks, code)
  })
})
