import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { stats } from "../src/backends/quickjs/Machine.ts"
import { Sandbox } from "../src/index.ts"
import { run } from "./support/backends.ts"

// The QuickJS backend runs every execution on a machine (runtime + context + prelude) whose memory
// is put back to a copy taken when it was made. These prove that reuse is safe: nothing one
// execution did reaches the next, limits hold per execution, and a machine is made once, not per
// execution.
const made = () => stats.made

layer(Sandbox.quickjs, { excludeTestServices: true })("quickjs machines", (it) => {
  it.effect("a machine is reused, and nothing the code did reaches the next execution", () =>
    Effect.gen(function* () {
      const files = { "state.ts": "export const box = { n: 0 }" }
      yield* run({ code: "export default 0" })
      const before = made()
      const first = yield* run({
        files,
        code: `import { box } from "./state.ts"
const g = globalThis as any
box.n = 99
g.leaked = "yes"
Object.defineProperty(Object.prototype, "polluted", { value: "yes", enumerable: false })
Array.prototype.map = function () { return ["hijacked"] } as any
JSON.parse = () => "hijacked"
Promise.prototype.finally = () => Promise.resolve("hijacked") as any
;(Function.prototype as any).extra = 1
Symbol.for("tta.leak")
g.console = { log: () => undefined }
delete g.setTimeout
// Work left queued when the result is ready: it must never run, here or later.
new Promise(() => undefined)
Promise.resolve().then(() => Promise.resolve()).then(() => { g.late = "ran" })
export default "changed everything"`
      })
      assert.strictEqual(first.value, "changed everything")
      const second = yield* run({
        files,
        code: `import { box } from "./state.ts"
const g = globalThis as any
export default {
  box: box.n,
  leaked: g.leaked ?? null,
  late: g.late ?? null,
  polluted: ({} as any).polluted ?? null,
  map: [1, 2].map((x) => x * 2),
  parse: JSON.parse("[1]"),
  extra: typeof (Function.prototype as any).extra,
  console: typeof console.log,
  setTimeout: typeof setTimeout
}`
      })
      assert.deepStrictEqual(second.value, {
        box: 0,
        leaked: null,
        late: null,
        polluted: null,
        map: [2, 4],
        parse: [1],
        extra: "undefined",
        console: "function",
        setTimeout: "function"
      })
      assert.strictEqual(made() - before, 0)
    })
  )

  it.effect("Math.random is seeded anew for every execution and stays the engine's own", () =>
    Effect.gen(function* () {
      const code = `export default [Math.random(), Math.random(), String(Math.random).includes("native code")]`
      const draws = new Set<number>()
      for (let i = 0; i < 5; i++) {
        const value = (yield* run({ code })).value as [number, number, boolean]
        assert.isTrue(value[2])
        draws.add(value[0])
        draws.add(value[1])
      }
      assert.strictEqual(draws.size, 10)
    })
  )

  it.effect("limits hold per execution on a reused machine; a killed execution leaves it usable", () =>
    Effect.gen(function* () {
      const fill = `const keep: Array<Array<number>> = []\nfor (let i = 0; i < 4; i++) keep.push(new Array(1e6).fill(i))\nexport default keep.length`
      const bomb = "const keep = []\nfor (;;) keep.push(new Array(1e6).fill(1))"
      const burn = `let x = 0\nfor (let i = 0; i < 1e7; i++) x += i % 7\nexport default x > 0`
      yield* run({ code: fill, limits: { memoryMb: 64 } })
      const before = made()
      for (let i = 0; i < 3; i++) {
        assert.strictEqual((yield* run({ code: fill, limits: { memoryMb: 64 } })).value, 4)
        const error = yield* Effect.flip(run({ code: bomb, limits: { memoryMb: 64 } }))
        assert.strictEqual(error._tag === "LimitExceeded" && error.limit, "memory")
        const loop = yield* Effect.flip(
          run({ code: "for (;;) {}", limits: { memoryMb: 64, cpuTime: "100 millis" } })
        )
        assert.strictEqual(loop._tag === "LimitExceeded" && loop.limit, "cpuTime")
      }
      // Each run takes ~0.4 s of its 2 s CPU limit here; together they exceed it.
      for (let i = 0; i < 6; i++) {
        const result = yield* run({
          code: burn,
          limits: { memoryMb: 64, cpuTime: "2 seconds", wallTime: "60 seconds" }
        })
        assert.isTrue(result.value)
      }
      assert.strictEqual(made() - before, 0)
    })
  )
})
