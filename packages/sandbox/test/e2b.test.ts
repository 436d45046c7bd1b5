import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { E2b } from "../src/index.ts"
import { run, runError } from "./support/backends.ts"
import { type LocalE2b, makeLocalE2b } from "./support/LocalE2b.ts"

// No network here: these run the e2b backend against LocalE2b, a STAND-IN implementing the SDK
// surface the backend uses, which runs the real runner script as a local child process.
describe("e2b backend against the local stand-in", () => {
  const workdir = mkdtempSync(join(tmpdir(), "tta-e2b-"))
  afterAll(() => rmSync(workdir, { recursive: true, force: true }))

  it.live(
    "speaks the protocol through the SDK surface: files.write, commands.run in background, sendStdin",
    () =>
      Effect.gen(function* () {
        let standIn: LocalE2b | undefined
        let created = 0
        const layer = E2b.layer({
          create: async () => {
            created++
            standIn = makeLocalE2b()
            return standIn
          },
          node: process.execPath,
          workdir
        })
        const results = yield* Effect.gen(function* () {
          const a = yield* run({
            code: `import { twice } from "./skills/twice/index.ts"\nexport default await twice(await host.callTool("m", "n", { v: 21 }))`,
            files: { "skills/twice/index.ts": "export const twice = (n: number): number => n * 2" },
            host: { callTool: (_s: string, _t: string, input: { v: number }) => Effect.succeed(input.v) }
          })
          const b = yield* run({ code: `export default typeof (globalThis as any).leftover` })
          return [a, b]
        }).pipe(Effect.provide(layer))
        assert.strictEqual(results[0]?.value, 42)
        assert.strictEqual(results[1]?.value, "undefined")
        // One cloud sandbox for the layer, a new runner process per execution.
        assert.strictEqual(created, 1)
        assert.strictEqual(standIn?.started.length, 2)
        assert.match(standIn?.started[0] ?? "", /--experimental-vm-modules .*runner\.mjs .*run-/)
        // The host call's result went back over stdin as one JSON line.
        assert.deepStrictEqual(
          standIn?.stdinLines.map((l) => JSON.parse(l)),
          [{ t: "settle", id: 1, ok: true, payload: "21" }]
        )
        // Closing the layer killed the cloud sandbox.
        assert.isTrue(standIn?.killed())
      })
  )

  it.live("a sandbox that cannot be created is SandboxUnavailable; the next execution tries again", () =>
    Effect.gen(function* () {
      let attempts = 0
      const layer = E2b.layer({
        create: async () => {
          attempts++
          if (attempts === 1) throw new Error("401: invalid API key")
          return makeLocalE2b()
        },
        node: process.execPath,
        workdir
      })
      const [first, second] = yield* Effect.all([
        runError({ code: "export default 1" }),
        run({ code: "export default 2" })
      ]).pipe(Effect.provide(layer))
      assert.strictEqual(first._tag, "SandboxUnavailable")
      assert.match(first.message, /could not create the E2B sandbox: 401: invalid API key/)
      assert.strictEqual(second.value, 2)
    })
  )

  it.live("a runner that cannot start is SandboxUnavailable with its stderr", () =>
    Effect.gen(function* () {
      const error = yield* runError({ code: "export default 1" }).pipe(
        Effect.provide(E2b.layer({ create: async () => makeLocalE2b(), node: "/nonexistent/node", workdir }))
      )
      assert.strictEqual(error._tag, "SandboxUnavailable")
      assert.match(error.message, /runner ended without a result.*nonexistent/s)
    })
  )
})

// Live: only with E2B_API_KEY set (never in this repository's CI, which has no network).
describe.skipIf(!process.env.E2B_API_KEY)("e2b backend, LIVE against the E2B cloud", () => {
  it.live(
    "runs code with imports and a host call in a real E2B sandbox",
    () =>
      Effect.gen(function* () {
        const result = yield* run({
          code: `import { twice } from "./skills/twice/index.ts"
console.info("from the cloud")
export default await twice(await host.value())`,
          files: { "skills/twice/index.ts": "export const twice = (n: number): number => n * 2" },
          host: { value: () => Effect.succeed(21) }
        }).pipe(Effect.provide(Layer.fresh(E2b.layer())))
        assert.strictEqual(result.value, 42)
        assert.deepStrictEqual(result.logs, [{ level: "info", message: "from the cloud" }])
      }),
    120_000
  )
})
