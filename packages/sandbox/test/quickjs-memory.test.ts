import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../src/index.ts"
import { run } from "./support/backends.ts"

// QuickJS runs in this process's WebAssembly memory, which never shrinks: what one execution
// takes from the host is what the host keeps. A bomb must take at most its limit plus a small
// constant, and a second bomb must reuse that memory rather than grow more.
const mb = 1024 * 1024
const limitMb = 128
const allowedMb = limitMb + 64
// RSS also moves with the JS heap, the allocator and whatever else the test process does.
const marginMb = 48

const bombs = {
  arrays: `const a = []; for (;;) a.push(new Array(1e6).fill(1.5))`,
  strings: `const a = []; for (;;) a.push("x".repeat(1e6) + a.length)`,
  buffers: `const a = []; for (;;) a.push(new ArrayBuffer(1e6))`
}

layer(Sandbox.quickjs, { excludeTestServices: true })("quickjs: host memory", (it) => {
  it.effect("a memory bomb takes at most its limit + 64 MB of the host, and the next bombs reuse it", () =>
    Effect.gen(function* () {
      yield* run({ code: "export default 1" })
      const before = process.memoryUsage().rss
      const after: Array<number> = []
      for (const code of [bombs.arrays, bombs.strings, bombs.buffers, bombs.arrays]) {
        const error = yield* Effect.flip(
          run({ code, limits: { memoryMb: limitMb, cpuTime: "20 seconds", wallTime: "60 seconds" } })
        )
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, "memory")
        after.push(process.memoryUsage().rss)
      }
      const first = (after[0]! - before) / mb
      assert.isAtMost(first, allowedMb + marginMb, `the first bomb took ${first.toFixed(0)} MB`)
      const growth = (Math.max(...after) - after[0]!) / mb
      assert.isAtMost(growth, marginMb, `later bombs took ${growth.toFixed(0)} MB more`)
      // And the sandbox still works.
      assert.strictEqual((yield* run({ code: "export default 40 + 2" })).value, 42)
    })
  )

  it.effect("microtask storms stopped by the CPU limit leave nothing behind", () =>
    Effect.gen(function* () {
      const storms = [
        `const storm = () => { Promise.resolve().then(storm); Promise.resolve().then(storm) }; storm(); await new Promise(() => setTimeout(() => {}, 1e9))`,
        `const s = async () => { for (;;) await null }; s(); s(); s(); await new Promise((r) => setTimeout(r, 1e9))`
      ]
      yield* run({ code: storms[0]!, limits: { cpuTime: "200 millis", wallTime: "60 seconds" } }).pipe(
        Effect.flip
      )
      const before = process.memoryUsage().rss
      for (let i = 0; i < 6; i++) {
        const error = yield* Effect.flip(
          run({ code: storms[i % 2]!, limits: { cpuTime: "200 millis", wallTime: "60 seconds" } })
        )
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, "cpuTime")
      }
      const growth = (process.memoryUsage().rss - before) / mb
      assert.isAtMost(growth, marginMb, `storms took ${growth.toFixed(0)} MB more`)
      assert.strictEqual((yield* run({ code: "export default 40 + 2" })).value, 42)
    })
  )
})
