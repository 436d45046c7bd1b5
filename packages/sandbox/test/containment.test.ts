import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { SandboxError } from "../src/Errors.ts"
import type { ExecuteRequest, ExecutionResult } from "../src/index.ts"
import { type BackendCase, backends, run } from "./support/backends.ts"

/**
 * Hostile code, every backend. Each case must end in a typed error or a harmless result, and the
 * next execution must work normally.
 */
interface Case {
  readonly name: string
  readonly request: ExecuteRequest
  /** Cases that apply only to some backends say so (and the README says why). */
  readonly only?: ReadonlyArray<BackendCase["name"]>
  /** Wait a while afterwards to see that nothing of it runs on. */
  readonly watchAfter?: boolean
  readonly check: (
    outcome:
      | { readonly ok: true; readonly result: ExecutionResult }
      | { readonly ok: false; readonly error: SandboxError },
    backend: BackendCase["name"]
  ) => void
}

const expectError = (outcome: Parameters<Case["check"]>[0], tag: string): SandboxError => {
  assert.isFalse(outcome.ok, "expected a typed error")
  if (outcome.ok) throw new Error("unreachable")
  assert.strictEqual(outcome.error._tag, tag, outcome.error.message)
  return outcome.error
}
const expectLimit = (outcome: Parameters<Case["check"]>[0], limit: string) => {
  const error = expectError(outcome, "LimitExceeded")
  if (error._tag === "LimitExceeded") assert.strictEqual(error.limit, limit)
}
const expectValue = (outcome: Parameters<Case["check"]>[0]): unknown => {
  assert.isTrue(outcome.ok, outcome.ok ? "" : `${outcome.error._tag}: ${outcome.error.message}`)
  return outcome.ok ? outcome.result.value : undefined
}

const late: Array<string> = []
const interrupted: Array<string> = []

const cases: ReadonlyArray<Case> = [
  {
    name: "require / process / globalThis probing finds nothing of the host",
    request: {
      code: `const g = globalThis as any
export default {
  kinds: [typeof require, typeof process, typeof module, typeof Buffer, typeof __dirname, typeof fetch, typeof XMLHttpRequest, typeof WebSocket],
  names: Object.getOwnPropertyNames(g).filter((n) => /^(process|require|module|exports|Buffer|fetch|fs|child_process|Deno|Bun)$/.test(n)),
  viaThis: typeof (function (this: any) { return this })()?.process
}`
    },
    check: (o) =>
      assert.deepStrictEqual(expectValue(o), {
        kinds: Array(8).fill("undefined"),
        names: [],
        viaThis: "undefined"
      })
  },
  {
    name: 'static import "node:fs" is refused',
    request: {
      code: `import { readFileSync } from "node:fs"\nexport default readFileSync("/etc/passwd", "utf8")`
    },
    check: (o) => assert.match(expectError(o, "CodeError").message, /Cannot import "node:fs"/)
  },
  {
    name: 'dynamic import("node:fs") is refused',
    request: {
      code: `let fs: unknown = "not reached"
try { fs = await import("node:fs") } catch (e) { fs = "refused" }
export default fs`
    },
    check: (o) => assert.strictEqual(expectValue(o), "refused")
  },
  {
    name: "fetch does not exist",
    request: { code: `await fetch("https://example.com")` },
    check: (o) => assert.strictEqual((expectError(o, "CodeError") as { name: string }).name, "ReferenceError")
  },
  {
    name: "eval / Function reach only the sandbox's own realm",
    request: {
      code: `const probes = [
  eval("typeof process"),
  (0, eval)("typeof require"),
  Function("return typeof process")(),
  [].constructor.constructor("return typeof process")(),
  host.ping.constructor("return typeof process")(),
  console.log.constructor("return typeof globalThis.process")(),
  typeof (Function("return this")() as any).process
]
export default probes`,
      host: { ping: () => Effect.void }
    },
    check: (o) => assert.deepStrictEqual(expectValue(o), Array(7).fill("undefined"))
  },
  {
    name: "an error object made by the runtime does not lead to the host process",
    request: {
      code: `let pid: unknown = null
try { await import("x") } catch (e: any) {
  try { pid = e.constructor.constructor("return typeof process === 'object' ? process.pid : null")() } catch { pid = null }
}
export default pid`
    },
    check: (o, backend) => {
      const pid = expectValue(o)
      assert.notStrictEqual(pid, process.pid)
      // In E2B the code runs in a vm context of the runner, which is no security boundary: a realm
      // escape reaches the runner's own Node process, inside the cloud sandbox (the boundary there).
      if (backend !== "e2b") assert.isNull(pid)
    }
  },
  {
    name: "prototype pollution of an object received from the host stays inside",
    request: {
      code: `const got: any = await host.get()
got.__proto__.polluted = "yes"
got.constructor.prototype.alsoPolluted = "yes"
Object.prototype.toString = () => "hijacked"
got.inner.value = "changed"
export default { seen: ({} as any).polluted }`,
      host: { get: () => Effect.succeed(hostObject) }
    },
    check: (o) => {
      assert.deepStrictEqual(expectValue(o), { seen: "yes" })
      assert.isUndefined(({} as Record<string, unknown>).polluted)
      assert.isUndefined(({} as Record<string, unknown>).alsoPolluted)
      assert.strictEqual(Object.prototype.toString.call([]), "[object Array]")
      assert.deepStrictEqual(hostObject, { inner: { value: "original" } })
    }
  },
  {
    name: "infinite loop",
    request: { code: `while (true) {}`, limits: { cpuTime: "300 millis" } },
    check: (o) => expectLimit(o, "cpuTime")
  },
  {
    name: "while(true) inside a promise chain (after a host call)",
    request: {
      code: `await host.ping().then(() => Promise.resolve()).then(() => { while (true) {} })`,
      host: { ping: () => Effect.void },
      limits: { cpuTime: "300 millis" }
    },
    check: (o) => expectLimit(o, "cpuTime")
  },
  {
    name: "a slow builtin in a loop is stopped by the CPU limit, not the wall limit",
    request: {
      code: `for (;;) new Array(1e6).fill(1.5)`,
      limits: { cpuTime: "300 millis", wallTime: "20 seconds" }
    },
    check: (o) => expectLimit(o, "cpuTime")
  },
  {
    name: "a microtask storm is stopped by the CPU limit",
    request: {
      code: `const s = async () => { for (;;) await null }\ns(); s(); s()\nawait new Promise((r) => setTimeout(r, 1e9))`,
      limits: { cpuTime: "300 millis", wallTime: "20 seconds" }
    },
    check: (o) => expectLimit(o, "cpuTime")
  },
  {
    name: "a thrown Proxy whose traps loop is stopped by the CPU limit, not the wall limit",
    request: {
      code: `const loop = () => { for (;;) {} }\nthrow new Proxy({}, { get: loop, has: loop, ownKeys: loop, getPrototypeOf: loop, getOwnPropertyDescriptor: loop })`,
      limits: { cpuTime: "300 millis", wallTime: "20 seconds" }
    },
    check: (o) => expectLimit(o, "cpuTime")
  },
  {
    name: "memory bomb",
    request: {
      code: `const keep: Array<unknown> = []\nwhile (true) keep.push(new Array(1e6).fill(keep.length))`,
      limits: { memoryMb: 64 }
    },
    check: (o) => expectLimit(o, "memory")
  },
  {
    name: "deep recursion",
    request: { code: `function down(n: number): number { return down(n + 1) + 1 }\nexport default down(0)` },
    check: (o) => assert.match(expectError(o, "CodeError").message, /stack|recursion/i)
  },
  {
    name: "a value nested too deeply for JSON",
    request: {
      code: `let o: object = {}
for (let i = 0; i < 200_000; i++) o = { o }
export default o`
    },
    check: (o) => {
      assert.isFalse(o.ok)
      if (!o.ok) assert.include(["ResultNotSerializable", "CodeError"], o.error._tag, o.error.message)
    }
  },
  {
    name: "100 MB of console output",
    request: {
      code: `const mb = "x".repeat(1024 * 1024)\nfor (let i = 0; i < 100; i++) console.log(mb)\nexport default "still here"`
    },
    check: (o) => {
      assert.strictEqual(expectValue(o), "still here")
      if (!o.ok) return
      assert.isTrue(o.result.truncated)
      const bytes = o.result.logs.reduce((n, l) => n + Buffer.byteLength(l.message) + 1, 0)
      assert.isAtMost(bytes, 1024 * 1024)
    }
  },
  {
    name: "an unhandled rejection",
    request: {
      code: `Promise.reject(new Error("nobody catches me"))\nawait host.ping()\nexport default 1`,
      host: { ping: () => Effect.sleep(20) }
    },
    // isolate and the E2B runner (Node) fail the execution as Node would; QuickJS does not track
    // unhandled rejections (quickjs-emscripten has no hook for it), so there it is harmless.
    check: (o, backend) => {
      if (backend === "quickjs") assert.strictEqual(expectValue(o), 1)
      else assert.match(expectError(o, "CodeError").message, /nobody catches me/)
    }
  },
  {
    name: "timers left running after the code returns never fire",
    request: {
      code: `setInterval(() => host.record("interval"), 1)\nsetTimeout(() => host.record("timeout"), 30)\nexport default "returned"`,
      host: { record: (what: string) => Effect.sync(() => late.push(what)) }
    },
    watchAfter: true,
    check: (o) => assert.strictEqual(expectValue(o), "returned")
  },
  {
    name: "a host call made after the execution ended is never served; one in flight is interrupted",
    request: {
      code: `host.slow()\nPromise.resolve().then(() => setTimeout(() => host.record("after end"), 20))\nexport default "done"`,
      host: {
        record: (what: string) => Effect.sync(() => late.push(what)),
        slow: () =>
          Effect.sleep(200).pipe(
            Effect.andThen(Effect.sync(() => late.push("slow completed"))),
            Effect.onInterrupt(() => Effect.sync(() => interrupted.push("slow")))
          )
      }
    },
    watchAfter: true,
    check: (o) => assert.strictEqual(expectValue(o), "done")
  },
  {
    name: "a throw of a non-Error value",
    request: { code: `throw { not: "an error" }` },
    check: (o) => assert.strictEqual((expectError(o, "CodeError") as { name: string }).name, "ThrownValue")
  },
  {
    name: "a throw of a string",
    request: { code: `throw "plain string"` },
    check: (o) => {
      const error = expectError(o, "CodeError")
      assert.strictEqual((error as { name: string }).name, "ThrownValue")
      assert.match(error.message, /plain string/)
    }
  }
]

const hostObject = { inner: { value: "original" } }

for (const backend of backends) {
  layer(backend.layer, { excludeTestServices: true })(`containment: ${backend.label}`, (it) => {
    for (const c of cases) {
      if (c.only !== undefined && !c.only.includes(backend.name)) continue
      it.effect(c.name, () =>
        Effect.gen(function* () {
          late.length = 0
          interrupted.length = 0
          const outcome = yield* run(c.request).pipe(
            Effect.map((result) => ({ ok: true as const, result })),
            Effect.catch((error) => Effect.succeed({ ok: false as const, error }))
          )
          c.check(outcome, backend.name)
          // Whatever happened, the next execution works normally...
          const next = yield* run({
            code: `export default [typeof process, ({} as any).polluted ?? null, 40 + 2]`
          })
          assert.deepStrictEqual(next.value, ["undefined", null, 42])
          // ...and nothing of the hostile one runs on after it.
          if (c.watchAfter) yield* Effect.sleep(300)
          assert.deepStrictEqual(late, [])
          if (c.name.startsWith("a host call made after")) assert.deepStrictEqual(interrupted, ["slow"])
        })
      )
    }
  })
}
