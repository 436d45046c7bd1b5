// QuickJS and the E2B SDK are optional peer dependencies: a user who did not install one gets a
// typed error naming it when choosing that backend, and the default backend works without either.
// Each case runs in a child Node process in which the packages are hidden from resolution (Node's
// own "not found" error, through scripts/test-support/hide-packages.mjs), as in a fresh install.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { assert, describe, it } from "@effect/vitest"

const hook = join(import.meta.dirname, "..", "..", "..", "scripts", "test-support", "hide-packages.mjs")
const probe = join(import.meta.dirname, "support", "peerProbe.ts")
const peers = "quickjs-emscripten,@e2b/code-interpreter"

const exitWithout = async (backend: string) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--no-node-snapshot", "--no-warnings", "--conditions=@tta/source", "--import", hook, probe, backend],
    { env: { ...process.env, TTA_HIDE_PACKAGES: peers } }
  )
  return JSON.parse(stdout) as {
    readonly _tag: "Success" | "Failure"
    readonly value?: { readonly value: unknown }
    readonly cause?: { readonly reasons: ReadonlyArray<{ readonly error: Record<string, any> }> }
  }
}

describe("optional peers not installed", () => {
  it("the default isolate backend runs code", async () => {
    const exit = await exitWithout("isolate")
    assert.strictEqual(exit._tag, "Success")
    assert.strictEqual(exit.value?.value, 2)
  })

  for (const [backend, name, install] of [
    ["quickjs", "quickjs-emscripten", "npm install quickjs-emscripten@^0.32.0"],
    ["e2b", "@e2b/code-interpreter", "npm install @e2b/code-interpreter@^2.8.0"]
  ] as const) {
    it(`the ${backend} backend fails when chosen, naming ${name}`, async () => {
      const exit = await exitWithout(backend)
      assert.strictEqual(exit._tag, "Failure")
      const error = exit.cause?.reasons[0]?.error
      assert.strictEqual(error?._tag, "SandboxUnavailable")
      assert.strictEqual(error?.backend, backend)
      assert.include(error?.message, `needs ${name}`)
      assert.include(error?.message, install)
      assert.deepInclude(error?.cause, { _tag: "MissingPeerDependency", package: name, install })
    })
  }
})
