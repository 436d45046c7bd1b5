import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import { Backend, Choice, Sandbox } from "../src/index.ts"

// The backend is chosen by name from a config file; the registry, not a list in the caller, says which exist.
describe("choosing a backend", () => {
  it("every backend registers itself", () => {
    assert.deepStrictEqual([...Backend.names()].sort(), ["e2b", "isolate", "quickjs"])
  })

  it("a config names a backend, or a backend with its options", () => {
    const decode = Schema.decodeUnknownExit(Choice)
    assert.isTrue(Exit.isSuccess(decode("quickjs")))
    assert.isTrue(Exit.isSuccess(decode({ backend: "e2b", sandboxTimeoutMs: 60_000, workdir: "/tmp/x" })))
    const unknown = decode("v8")
    assert.isTrue(Exit.isFailure(unknown))
    assert.match(String(unknown), /unknown sandbox backend "v8".*isolate, quickjs, e2b/)
    const badOption = decode({ backend: "e2b", sandboxTimeoutMs: "soon" })
    assert.isTrue(Exit.isFailure(badOption))
    assert.match(String(badOption), /sandbox "e2b" options/)
  })

  it.effect("layerFor runs the chosen backend; an unknown one is SandboxUnavailable", () =>
    Effect.gen(function* () {
      const backend = yield* Effect.map(Effect.service(Sandbox), (s) => s.backend).pipe(
        Effect.provide(Sandbox.layerFor("quickjs"))
      )
      assert.strictEqual(backend, "quickjs")
      const error = yield* Effect.flip(Effect.provide(Effect.service(Sandbox), Sandbox.layerFor("v8")))
      assert.strictEqual(error._tag, "SandboxUnavailable")
      assert.match(error.message, /unknown sandbox backend "v8"/)
    })
  )
})
