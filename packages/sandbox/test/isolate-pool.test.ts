import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Installer from "../src/backends/isolate/Installer.ts"
import { stats } from "../src/backends/isolate/Pool.ts"
import { Sandbox } from "../src/index.ts"
import { run } from "./support/backends.ts"

// The isolate backend keeps warm isolates and gives each execution a new context in one of them.
// These prove that reuse is safe: nothing crosses, limits are per execution, dirty isolates go.
const created = () => stats.created

layer(Sandbox.layerFor({ backend: "isolate", pool: 1 }), { excludeTestServices: true })(
  "isolate pool",
  (it) => {
    it.effect("an isolate is reused, and nothing the code did reaches the next execution", () =>
      Effect.gen(function* () {
        yield* run({ code: "export default 0" })
        const before = created()
        const first = yield* run({
          code: `const g = globalThis as any
g.leaked = "yes"
g.host2 = 1
Object.defineProperty(Object.prototype, "polluted", { value: "yes", enumerable: false })
Array.prototype.map = function () { return ["hijacked"] } as any
JSON.parse = () => "hijacked"
Error.stackTraceLimit = 0
Promise.prototype.finally = () => Promise.resolve("hijacked") as any
;(Function.prototype as any).extra = 1
Math.random = () => 4
g.console = { log: () => undefined }
delete g.setTimeout
const stub = Object.getOwnPropertyDescriptor(g, "host")
Object.defineProperty(g, "hostGetter", { value: stub?.get })
export default "changed everything"`
        })
        assert.strictEqual(first.value, "changed everything")
        const second = yield* run({
          code: `const g = globalThis as any
export default {
  leaked: g.leaked ?? null,
  host2: typeof g.host2,
  polluted: ({} as any).polluted ?? null,
  map: [1, 2].map((x) => x * 2),
  parse: JSON.parse("[1]"),
  limit: Error.stackTraceLimit,
  extra: typeof (Function.prototype as any).extra,
  random: Math.random() < 1,
  console: typeof console.log === "function" && console.log !== undefined,
  setTimeout: typeof setTimeout,
  hostGetter: typeof g.hostGetter
}`
        })
        assert.deepStrictEqual(second.value, {
          leaked: null,
          host2: "undefined",
          polluted: null,
          map: [2, 4],
          parse: [1],
          limit: 10,
          extra: "undefined",
          random: true,
          console: true,
          setTimeout: "function",
          hostGetter: "undefined"
        })
        // Both ran in the isolate left warm by the first execution of this test.
        assert.strictEqual(created() - before, 0)
      })
    )

    it.effect("the CPU limit is per execution, not per isolate", () =>
      Effect.gen(function* () {
        // Each run does about a quarter of its limit; together they would exceed it many times over.
        const burn = `let x = 0\nfor (let i = 0; i < 1e8; i++) x += i % 7\nexport default x > 0`
        const before = created()
        for (let i = 0; i < 5; i++) {
          const result = yield* run({ code: burn, limits: { cpuTime: "2 seconds", wallTime: "60 seconds" } })
          assert.isTrue(result.value)
        }
        assert.strictEqual(created() - before, 0)
      })
    )

    it.effect("an isolate killed by a limit, or with work still running, is disposed, not reused", () =>
      Effect.gen(function* () {
        const deltas: Array<number> = []
        const step = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.gen(function* () {
            const before = created()
            yield* Effect.ignore(effect)
            deltas.push(created() - before)
          })
        yield* step(run({ code: "export default 1" }))
        yield* step(run({ code: "while (true) {}", limits: { cpuTime: "200 millis" } }))
        yield* step(run({ code: "export default 1" }))
        yield* step(
          run({
            code: "const storm = (): unknown => Promise.resolve().then(storm)\nstorm()\nexport default 1"
          })
        )
        yield* step(run({ code: "export default 1" }))
        yield* step(
          run({
            code: "const keep = []\nfor (;;) keep.push(new Array(1e6).fill(1))",
            limits: { memoryMb: 32 }
          })
        )
        yield* step(run({ code: "export default 1" }))
        // reused; reused then killed; new; reused, a storm left running; new; a bomb at another memory
        // limit (pooled apart: new, then killed); the 128 MB isolate of the step before, reused.
        assert.deepStrictEqual(deltas, [0, 0, 1, 0, 1, 1, 0])
      })
    )

    it.effect("the memory limit holds per execution in a reused isolate", () =>
      Effect.gen(function* () {
        const fill = `const keep: Array<Array<number>> = []\nfor (let i = 0; i < 4; i++) keep.push(new Array(1e6).fill(i))\nexport default keep.length`
        for (let i = 0; i < 3; i++) {
          const result = yield* run({ code: fill, limits: { memoryMb: 64 } })
          assert.strictEqual(result.value, 4)
        }
        const bomb = yield* Effect.flip(
          run({
            code: "const keep = []\nfor (;;) keep.push(new Array(1e6).fill(1))",
            limits: { memoryMb: 64 }
          })
        )
        assert.strictEqual(bomb._tag, "LimitExceeded")
        assert.strictEqual((yield* run({ code: fill, limits: { memoryMb: 64 } })).value, 4)
      })
    )
  }
)

layer(Sandbox.isolate, { excludeTestServices: true })("isolate pool (default size)", (it) => {
  it.effect("back-to-back executions take turns in two isolates, none made per execution", () =>
    Effect.gen(function* () {
      const batch = Effect.gen(function* () {
        const before = created()
        for (let i = 0; i < 20; i++)
          assert.strictEqual((yield* run({ code: `export default ${i}` })).value, i)
        return created() - before
      })
      // The pool settles on two isolates that take turns, both from the prelude's snapshot (the
      // first isolate, made before the snapshot, is replaced): at most three made.
      assert.isAtMost(yield* batch, 3)
      // Then none per execution (one may replace an isolate whose heap filled with dead contexts).
      assert.isAtMost(yield* batch, 1)
    })
  )
})

layer(Sandbox.layerFor({ backend: "isolate", pool: 0 }), { excludeTestServices: true })(
  "isolates from the prelude's snapshot",
  (it) => {
    it.effect("a new isolate starts from the snapshot; its contexts are as fresh as any", () =>
      Effect.gen(function* () {
        const before = Installer.stats.fromSnapshot
        const values: Array<unknown> = []
        for (let i = 0; i < 4; i++) {
          const result = yield* run({
            code: `const g = globalThis as any
const seen = { install: typeof g.__tta_bind, leaked: g.leaked ?? null, random: Math.random() }
g.leaked = "yes"
console.log("run")
export default seen`
          })
          assert.deepStrictEqual(
            result.logs.map((l) => l.message),
            ["run"]
          )
          values.push(result.value)
        }
        // The snapshot is made with the layer's second isolate: at least the last three came from it.
        assert.isAtLeast(Installer.stats.fromSnapshot - before, 3)
        for (const v of values) {
          const seen = v as { install: string; leaked: unknown; random: number }
          assert.strictEqual(seen.install, "undefined")
          assert.strictEqual(seen.leaked, null)
        }
        assert.strictEqual(new Set(values.map((v) => (v as { random: number }).random)).size, 4)
      })
    )
  }
)
