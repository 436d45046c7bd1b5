import { assert, layer } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import { backends, run, runError } from "./support/backends.ts"

const api = {
  "servers/math/add.ts": `import { callTool } from "../_runtime.ts"
export interface AddInput { a: number; b: number }
export const add = (input: AddInput): Promise<number> => callTool<number>("math", "add", input)`,
  "servers/math/index.ts": `export { add } from "./add.ts"`,
  "servers/_runtime.ts": `declare const host: { callTool(s: string, t: string, i: unknown): Promise<unknown> }
export const callTool = <T,>(server: string, tool: string, input: unknown): Promise<T> =>
  host.callTool(server, tool, input) as Promise<T>`,
  "skills/double/index.ts": `import { add } from "../../servers/math/index.ts"
export const double = async (n: number): Promise<number> => add({ a: n, b: n })`
}

for (const backend of backends) {
  layer(backend.layer, { excludeTestServices: true })(backend.label, (it) => {
    it.effect("runs TypeScript and returns `export default` as JSON", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `interface Point { x: number; y: number }
const p: Point = { x: 1, y: 2 } satisfies Point
const label = <T,>(v: T): string => String(v)
export default { sum: p.x + p.y, label: label(42), list: [1, "two", null, true] }`
        })
        assert.deepStrictEqual(result.value, { sum: 3, label: "42", list: [1, "two", null, true] })
        assert.isFalse(result.truncated)
        assert.isAbove(result.durationMs, 0)
      })
    )

    it.effect("imports mounted files as ES modules, with top-level await and host calls", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `import { add } from "./servers/math/index.ts"
import { double } from "./skills/double/index.ts"
const three = await add({ a: 1, b: 2 })
export default { three, eight: await double(4) }`,
          files: api,
          host: {
            callTool: (server: string, tool: string, input: { a: number; b: number }) =>
              Effect.succeed(server === "math" && tool === "add" ? input.a + input.b : -1)
          }
        })
        assert.deepStrictEqual(result.value, { three: 3, eight: 8 })
        assert.deepStrictEqual(
          result.hostCalls.map((c) => [c.name, c.args, c.ok]),
          [
            ["callTool", ["math", "add", { a: 1, b: 2 }], true],
            ["callTool", ["math", "add", { a: 4, b: 4 }], true]
          ]
        )
      })
    )

    it.effect("import() loads a mounted file, relative to the module that asks", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `const math = await import("./servers/math/index.ts")
const { later } = await import("./skills/later/index.ts")
const sum = await math.add({ a: 1, b: 2 })
// A comment with import("nothing") and a string "import('nothing')" are left as they are.
export default { sum, later: await later(5), text: "import('nothing')" }`,
          files: {
            ...api,
            "skills/later/index.ts": `export const later = async (n: number) => (await import("../double/index.ts")).double(n)`
          },
          host: {
            callTool: (_server: string, _tool: string, input: { a: number; b: number }) =>
              Effect.succeed(input.a + input.b)
          }
        })
        assert.deepStrictEqual(result.value, { sum: 3, later: 10, text: "import('nothing')" })
      })
    )

    it.effect("import() of anything not mounted rejects with the message a static import gives", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `const tried: Array<string> = []
for (const spec of ["node:fs", "../outside.ts", "./servers/none.ts"]) {
  try { await import(spec); tried.push("loaded") } catch (e) { tried.push((e as Error).message) }
}
export default tried`
        })
        const messages = result.value as Array<string>
        assert.lengthOf(messages, 3)
        for (const [i, spec] of ["node:fs", "../outside.ts", "./servers/none.ts"].entries()) {
          assert.match(
            messages[i]!,
            new RegExp(`Cannot import "${spec.replace(/[.]/g, "\\.")}".*only the mounted files`)
          )
        }
      })
    )

    it.effect("what the code printed before it failed comes with the error", () =>
      Effect.gen(function* () {
        const thrown = yield* runError({ code: `console.log("step 1 ok")\nthrow new Error("step 2 failed")` })
        assert.strictEqual(thrown._tag, "CodeError")
        assert.deepStrictEqual(thrown._tag === "CodeError" ? thrown.logs : undefined, [
          { level: "log", message: "step 1 ok" }
        ])
        const later = yield* runError({
          code: `console.log("a")\nawait host.ping()\nconsole.warn("b")\nthrow new Error("c")`,
          host: { ping: () => Effect.void }
        })
        assert.deepStrictEqual(later._tag === "CodeError" ? later.logs : undefined, [
          { level: "log", message: "a" },
          { level: "warn", message: "b" }
        ])
        const limited = yield* runError({
          code: `console.log("before the loop")\nwhile (true) {}`,
          limits: { cpuTime: "200 millis" }
        })
        assert.strictEqual(limited._tag, "LimitExceeded")
        assert.deepStrictEqual(limited._tag === "LimitExceeded" ? limited.logs : undefined, [
          { level: "log", message: "before the loop" }
        ])
      })
    )

    it.effect("no `export default` gives an undefined value", () =>
      Effect.gen(function* () {
        const result = yield* run({ code: `console.log("only logs")` })
        assert.isUndefined(result.value)
        assert.deepStrictEqual(result.logs, [{ level: "log", message: "only logs" }])
      })
    )

    it.effect("captures console output with levels", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `console.log("a", 1, { b: [2] })
console.info("info")
console.warn("warn")
console.error(new TypeError("bad"))
console.debug(undefined, null)`
        })
        assert.deepStrictEqual(
          result.logs.map((l) => [l.level, l.message.split("\n")[0]]),
          [
            ["log", 'a 1 {"b":[2]}'],
            ["info", "info"],
            ["warn", "warn"],
            ["error", "TypeError: bad"],
            ["debug", "undefined null"]
          ]
        )
      })
    )

    it.effect("hands each console entry to onLog as the code writes it, and keeps it in logs", () =>
      Effect.gen(function* () {
        const live: Array<string> = []
        const result = yield* run({
          // `seen` answers with what onLog had received when the code got there: live, not at the end.
          code: `console.log("first")
const atFirst = await host.seen()
console.warn("second")
export default { atFirst, atSecond: await host.seen() }`,
          host: { seen: () => Effect.sync(() => [...live]) },
          onLog: (entry) => {
            live.push(`${entry.level}:${entry.message}`)
          }
        })
        assert.deepStrictEqual(result.value, {
          atFirst: ["log:first"],
          atSecond: ["log:first", "warn:second"]
        })
        assert.deepStrictEqual(result.logs, [
          { level: "log", message: "first" },
          { level: "warn", message: "second" }
        ])
        // A hook that throws changes nothing for the code.
        const unharmed = yield* run({
          code: `console.log("x")\nexport default 1`,
          onLog: () => {
            throw new Error("the hook broke")
          }
        })
        assert.strictEqual(unharmed.value, 1)
      })
    )

    it.effect("host calls in Promise.all run in parallel (recorded start/end order)", () =>
      Effect.gen(function* () {
        const events: Array<string> = []
        const result = yield* run({
          code: `export default await Promise.all([host.work("a"), host.work("b"), host.work("c")])`,
          host: {
            work: (label: string) =>
              Effect.sync(() => events.push(`start ${label}`)).pipe(
                Effect.andThen(Effect.sleep(150)),
                Effect.andThen(Effect.sync(() => events.push(`end ${label}`))),
                Effect.as(label.toUpperCase())
              )
          }
        })
        assert.deepStrictEqual(result.value, ["A", "B", "C"])
        // Every call started before any finished: they were in flight together.
        assert.deepStrictEqual(events.slice(0, 3).sort(), ["start a", "start b", "start c"])
        assert.deepStrictEqual(events.slice(3).sort(), ["end a", "end b", "end c"])
      })
    )

    it.effect("arguments and results cross as copies, never references", () =>
      Effect.gen(function* () {
        const held = { list: [1, 2], nested: { n: 1 } }
        let received: { list: Array<number> } | undefined
        const result = yield* run({
          code: `const arg = { list: [1] }
const got = await host.take(arg)
arg.list.push(99)
got.list.push(3)
got.nested.n = 2
const again = await host.give()
export default { again, sameObject: got === again }`,
          host: {
            take: (a: { list: Array<number> }) =>
              Effect.sync(() => {
                received = a
                return held
              }),
            give: () => Effect.succeed(held)
          }
        })
        assert.deepStrictEqual(received, { list: [1] })
        assert.deepStrictEqual(held, { list: [1, 2], nested: { n: 1 } })
        assert.deepStrictEqual(result.value, { again: { list: [1, 2], nested: { n: 1 } }, sameObject: false })
      })
    )

    it.effect("a failed host effect is thrown in the code with its message, name and _tag", () =>
      Effect.gen(function* () {
        const ok = yield* run({
          code: `let out
try { await host.callTool("fs", "read", {}) } catch (e) {
  out = { isError: e instanceof Error, name: e.name, tag: e._tag, message: e.message }
}
export default out`,
          host: { callTool: () => Effect.fail({ _tag: "ToolError", message: "fs/read: no such file" }) }
        })
        assert.deepStrictEqual(ok.value, {
          isError: true,
          name: "ToolError",
          tag: "ToolError",
          message: "fs/read: no such file"
        })
        assert.deepStrictEqual(
          ok.hostCalls.map((c) => [c.ok, c.error]),
          [[false, "fs/read: no such file"]]
        )
      })
    )

    it.effect("an uncaught host failure ends the execution as a CodeError named after it", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `await host.boom()`,
          host: { boom: () => Effect.fail({ _tag: "ToolError", message: "server down" }) }
        })
        assert.strictEqual(error._tag, "CodeError")
        assert.strictEqual(error.message, "server down")
        if (error._tag === "CodeError") assert.strictEqual(error.name, "ToolError")
      })
    )

    it.effect("errors carry a stack whose line numbers are those of the agent's code", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `type Item = { id: number }
const items: Array<Item> = [{ id: 1 }]
await host.tick()
function check(item: Item): void {
  if (item.id === 1) throw new RangeError("item 1 is not allowed")
}
items.forEach(check)`,
          host: { tick: () => Effect.void }
        })
        assert.strictEqual(error._tag, "CodeError")
        if (error._tag !== "CodeError") return
        assert.strictEqual(error.name, "RangeError")
        assert.strictEqual(error.message, "item 1 is not allowed")
        assert.match(error.stack, /agent\.ts:5:/)
        assert.match(error.stack, /agent\.ts:7:/)
      })
    )

    it.effect("errors in a mounted file point into that file", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `import { fail } from "./skills/broken/index.ts"\nfail()`,
          files: {
            "skills/broken/index.ts": `export function fail(): never {\n  throw new Error("broken skill")\n}`
          }
        })
        assert.strictEqual(error._tag, "CodeError")
        if (error._tag === "CodeError") assert.match(error.stack, /skills\/broken\/index\.ts:2:/)
      })
    )

    it.effect("a syntax error is a CodeError naming the line", () =>
      Effect.gen(function* () {
        const error = yield* runError({ code: `const a = 1\nconst b: number = = 2\nexport default a` })
        assert.strictEqual(error._tag, "CodeError")
        if (error._tag !== "CodeError") return
        assert.strictEqual(error.name, "SyntaxError")
        assert.match(error.message, /agent\.ts:2/)
      })
    )

    it.effect("TypeScript that is also JavaScript with another meaning runs as TypeScript", () =>
      Effect.gen(function* () {
        // As JavaScript, \`id<number>(three)\` is two comparisons (and \`number\` is not defined).
        const result = yield* run({
          code: `function id(x) { return x }\nconst three = 3\nexport default id<number>(three)`
        })
        assert.strictEqual(result.value, 3)
      })
    )

    it.effect("a mounted file whose types cannot be stripped fails only the code that imports it", () =>
      Effect.gen(function* () {
        // Mounted code is stripped when first read: a broken file the code never imports costs
        // nothing (E2B uploads every file, so there it fails any run, with the same error).
        const files = { ...api, "skills/broken/index.ts": "export const f = (a: number = = 1) => a" }
        if (backend.name !== "e2b") {
          const fine = yield* run({ code: `export default 1 + 1`, files })
          assert.strictEqual(fine.value, 2)
        }
        const error = yield* runError({
          code: `import { f } from "./skills/broken/index.ts"\nexport default f()`,
          files
        })
        assert.strictEqual(error._tag, "CodeError")
        assert.match(error.message, /skills\/broken\/index\.ts:1/)
      })
    )

    it.effect("a value that is not JSON is a ResultNotSerializable naming where", () =>
      Effect.gen(function* () {
        const cases: Array<[string, RegExp]> = [
          [`export default { a: { f: () => 1 } }`, /function at \.a\.f/],
          [`const o: any = { x: 1 }; o.self = o; export default o`, /circular reference at \.self/],
          [`export default { m: new Map([[1, 2]]) }`, /Map at \.m/],
          [`export default [1, 2n]`, /BigInt at \[1\]/],
          [`class P { x = 1 }\nexport default new P()`, /instance of P/]
        ]
        for (const [code, pattern] of cases) {
          const error = yield* runError({ code })
          assert.strictEqual(error._tag, "ResultNotSerializable", code)
          assert.match(error.message, pattern)
        }
        const ok = yield* run({ code: `export default { when: new Date(0), n: null }` })
        assert.deepStrictEqual(ok.value, { when: "1970-01-01T00:00:00.000Z", n: null })
      })
    )

    it.effect("host-call limit: a typed error naming the limit", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `for (let i = 0; i < 10; i++) await host.ping()`,
          host: { ping: () => Effect.void },
          limits: { hostCalls: 3 }
        })
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") {
          assert.strictEqual(error.limit, "hostCalls")
          assert.strictEqual(error.value, 3)
          assert.match(error.message, /host-call limit of 3/)
        }
      })
    )

    it.effect("output limit: console output is truncated, a value too large is an error", () =>
      Effect.gen(function* () {
        const chatty = yield* run({
          code: `for (let i = 0; i < 100; i++) console.log("line " + i + " " + "x".repeat(100))\nexport default "ok"`,
          limits: { outputBytes: 2_000 }
        })
        assert.strictEqual(chatty.value, "ok")
        assert.isTrue(chatty.truncated)
        const bytes = chatty.logs.reduce((n, l) => n + Buffer.byteLength(l.message) + 1, 0)
        assert.isAtMost(bytes + 4, 2_000)
        assert.strictEqual(chatty.logs[0]?.message.slice(0, 7), "line 0 ")

        const big = yield* runError({
          code: `export default "y".repeat(5_000)`,
          limits: { outputBytes: 2_000 }
        })
        assert.strictEqual(big._tag, "LimitExceeded")
        if (big._tag === "LimitExceeded") assert.strictEqual(big.limit, "outputBytes")
      })
    )

    it.effect("CPU-time limit: a typed error naming the limit", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `let i = 0\nwhile (true) i++`,
          limits: { cpuTime: "300 millis" }
        })
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, "cpuTime")
      })
    )

    it.effect("wall-time limit: a typed error naming the limit (time spent waiting counts)", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `await host.slow()`,
          host: { slow: () => Effect.sleep("10 seconds") },
          limits: { wallTime: "700 millis" }
        })
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, "wallTime")
      })
    )

    it.effect("memory limit: a typed error naming the limit", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `const keep = []\nwhile (true) keep.push(new Array(1e6).fill(keep.length))`,
          limits: { memoryMb: 64 }
        })
        assert.strictEqual(error._tag, "LimitExceeded")
        if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, "memory")
      })
    )

    it.effect("every execution starts clean: globals, prototypes and timers do not survive", () =>
      Effect.gen(function* () {
        const ticks: Array<number> = []
        yield* run({
          code: `globalThis.leftover = 1
Object.prototype.polluted = true
Array.prototype.push = () => 0
setInterval(() => host.tick(), 5)
export default 1`,
          host: { tick: () => Effect.sync(() => ticks.push(1)) }
        })
        const next = yield* run({
          code: `const a: Array<number> = []
a.push(1)
export default { leftover: typeof (globalThis as any).leftover, polluted: ({} as any).polluted ?? null, pushed: a.length }`
        })
        assert.deepStrictEqual(next.value, { leftover: "undefined", polluted: null, pushed: 1 })
        yield* Effect.sleep(100)
        assert.deepStrictEqual(ticks, [])
      })
    )

    it.effect("host, console and timers compiled on first use behave as if always there", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `const stringify = JSON.stringify
;(globalThis as any).setTimeout = "mine"
JSON.stringify = () => "tampered"
;(globalThis as any).Map = undefined
console.log("hi", { a: 1 })
const got = await host.echo({ b: 2 })
const d = Object.getOwnPropertyDescriptor(globalThis, "console") as PropertyDescriptor
JSON.stringify = stringify
export default {
  setTimeout: (globalThis as any).setTimeout,
  got,
  console: [typeof d.value, d.writable, d.enumerable, d.configurable],
  enumerable: Object.keys(globalThis).filter((k) => ["host", "console", "setInterval"].includes(k))
}`,
          host: { echo: (v: unknown) => Effect.succeed(v) }
        })
        assert.deepStrictEqual(result.value, {
          setTimeout: "mine",
          got: { b: 2 },
          console: ["object", true, false, true],
          enumerable: []
        })
        assert.deepStrictEqual(
          result.logs.map((l) => l.message),
          ['hi {"a":1}']
        )
      })
    )

    // Node's vm contexts (the E2B runner) refuse to freeze their global: isolate and QuickJS only.
    it.effect.skipIf(backend.name === "e2b")(
      "host, console and timers still work after the code freezes globalThis",
      () =>
        Effect.gen(function* () {
          const result = yield* run({
            code: `Object.freeze(globalThis)
console.log("frozen")
export default [typeof setTimeout, await host.echo(1), console === console]`,
            host: { echo: (v: unknown) => Effect.succeed(v) }
          })
          assert.deepStrictEqual(result.value, ["function", 1, true])
          assert.deepStrictEqual(
            result.logs.map((l) => l.message),
            ["frozen"]
          )
        })
    )

    it.effect("timers run while the code waits on them", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `const order: Array<string> = []
await new Promise<void>((resolve) => {
  let n = 0
  const id = setInterval(() => { order.push("i"); if (++n === 3) { clearInterval(id); resolve() } }, 20)
  setTimeout(() => order.push("t"), 1)
  const never = setTimeout(() => order.push("never"), 2)
  clearTimeout(never)
})
export default order`
        })
        // As in Node: timers registered together fire by deadline, however late the host is.
        // Deadlines come from the code's clock: 19 ms apart, so that a loaded machine pausing the
        // code between the two calls (up to 7 ms seen on the E2B stand-in) cannot swap them.
        assert.deepStrictEqual(result.value, ["t", "i", "i", "i"])
      })
    )

    it.effect("timers fire in deadline order when the host is late", () =>
      Effect.gen(function* () {
        // host.late() blocks the host's event loop for 100 ms once the code lets it run: right after
        // the interval is registered (isolate: the timeout's registration waits for it) or after
        // both (QuickJS). Deadlines: i 50, i 100, t 125, i 150 (25 ms margins, as the code's clock
        // moves on between its calls on a loaded machine). Firing from the host's receive times or
        // re-arming at "now + 50" would give i, i, i or i, t, i. `host` is read first: its first
        // read compiles it, which must not come between the two registrations.
        const result = yield* run({
          code: `const order: Array<string> = []
const late = host.late
await new Promise<void>((resolve) => {
  let n = 0
  const id = setInterval(() => { order.push("i"); if (++n === 3) { clearInterval(id); resolve() } }, 50)
  void late()
  setTimeout(() => order.push("t"), 125)
})
export default order`,
          host: {
            late: () =>
              Effect.yieldNow.pipe(
                Effect.andThen(
                  Effect.sync(() => {
                    const end = performance.now() + 100
                    while (performance.now() < end) {}
                  })
                )
              )
          }
        })
        assert.deepStrictEqual(result.value, ["i", "i", "t", "i"])
      })
    )

    it.effect("an interval slower than its period catches up at most one period", () =>
      Effect.gen(function* () {
        // Each run takes 10 ms of a 2 ms period. Re-armed at "previous deadline + period" without
        // a bound, its deadlines would lag ever further and hold the timeout back for 25 runs.
        const result = yield* run({
          code: `let n = 0
const id = setInterval(() => { n++; const end = Date.now() + 10; while (Date.now() < end) {} }, 2)
export default await new Promise((resolve) => setTimeout(() => { clearInterval(id); resolve(n) }, 50))`
        })
        assert.isBelow(result.value as number, 20)
      })
    )

    it.effect("at most 10,000 timers are pending; cleared ones leave no work behind", () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `const ids: Array<number> = []
let refused = ""
try {
  for (let i = 0; i <= 10_000; i++) ids.push(setTimeout(() => {}, 1_000_000 - i))
} catch (e) {
  refused = (e as Error).name
}
for (const id of ids) clearTimeout(id)
export default await new Promise((resolve) => setTimeout(() => resolve([ids.length, refused]), 1))`
        })
        assert.deepStrictEqual(result.value, [10_000, "RangeError"])
      })
    )

    it.effect(
      "host calls run in a sandbox.host_call span under sandbox.execute, when a tracer takes them",
      () =>
        Effect.gen(function* () {
          const spans: Array<Tracer.NativeSpan> = []
          const tracer = Tracer.make({
            span: (options) => {
              const span = new Tracer.NativeSpan(options)
              spans.push(span)
              return span
            }
          })
          const request = {
            code: `export default await host.where()`,
            host: {
              where: () =>
                Effect.map(Effect.currentSpan, (span) => {
                  const parent = Option.getOrUndefined(span.parent)
                  return { span: span.name, parent: parent?._tag === "Span" ? parent.name : null }
                }).pipe(Effect.orElseSucceed(() => ({ span: null, parent: null })))
            }
          }
          const traced = yield* Effect.withTracer(run(request), tracer)
          assert.deepStrictEqual(traced.value, { span: "sandbox.host_call", parent: "sandbox.execute" })
          const execute = spans.find((s) => s.name === "sandbox.execute")
          assert.strictEqual(execute?.attributes.get("sandbox.host_calls"), 1)
          assert.isString(execute?.attributes.get("sandbox.backend"))
          assert.strictEqual(
            spans.find((s) => s.name === "sandbox.host_call")?.attributes.get("sandbox.host.function"),
            "where"
          )
          // Under Effect's default tracer nobody exports spans: none are made.
          const untraced = yield* run(request)
          assert.deepStrictEqual(untraced.value, { span: null, parent: null })
        })
    )

    it.effect("code that waits on a promise nothing can settle fails fast, not at the wall-time limit", () =>
      Effect.gen(function* () {
        const error = yield* runError({
          code: `await new Promise(() => {})`,
          limits: { wallTime: "20 seconds" }
        })
        assert.strictEqual(error._tag, "CodeError")
        assert.match(error.message, /nothing will ever settle/)
      })
    )

    it.effect("bad requests are InvalidRequest errors naming the field", () =>
      Effect.gen(function* () {
        const path = yield* runError({ code: `1`, files: { "../etc/passwd": "x" } })
        assert.strictEqual(path._tag, "InvalidRequest")
        assert.match(path.message, /\.\.\/etc\/passwd/)
        const name = yield* runError({ code: `1`, host: { "not ok": () => Effect.void } })
        assert.strictEqual(name._tag, "InvalidRequest")
        assert.match(name.message, /not ok/)
        const missing = yield* runError({
          code: `import { x } from "./servers/nope/index.ts"\nexport default x`
        })
        assert.strictEqual(missing._tag, "CodeError")
        assert.match(missing.message, /Cannot import "\.\/servers\/nope\/index\.ts" from agent\.ts/)
      })
    )
  })
}
