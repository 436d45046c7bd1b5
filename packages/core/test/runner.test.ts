import { assert, describe, it } from "@effect/vitest"
import { lift, parallel, runPromise, sequence, step, WorkflowContext } from "@tta/core"
import { Effect } from "effect"

describe("runPromise", () => {
  it("runs a primitive for callers that do not use Effect", async () => {
    const flow = sequence(
      lift("len", (s: string) => s.length),
      lift("double", (n: number) => n * 2)
    )
    assert.strictEqual(await runPromise(flow, "abcd"), 8)
  })

  it("provides a WorkflowContext (given or generated id) to every step", async () => {
    const whoami = step("whoami", (_: undefined) => Effect.map(WorkflowContext, (ctx) => ctx))
    const ctx = await runPromise(whoami, undefined, { workflowId: "wf-9", tags: ["t"], metadata: { a: 1 } })
    assert.deepStrictEqual(ctx, { workflowId: "wf-9", tags: ["t"], metadata: { a: 1 } })
    const generated = await runPromise(parallel([whoami, whoami]), undefined)
    assert.match(generated[0].workflowId, /^[0-9a-f-]{36}$/)
    assert.strictEqual(generated[0].workflowId, generated[1].workflowId)
  })

  it("rejects with the typed error", async () => {
    const fail = step("fail", (_: undefined) => Effect.fail({ _tag: "Nope" as const }))
    const error = await runPromise(fail, undefined).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.deepStrictEqual(error, { _tag: "Nope" })
  })

  it("an aborted signal interrupts the run", async () => {
    let interrupted = false
    const forever = step("forever", (_: undefined) =>
      Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
    )
    const controller = new AbortController()
    const running = runPromise(forever, undefined, { signal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    await running.then(
      () => assert.fail("should not resolve"),
      () => undefined
    )
    assert.isTrue(interrupted)
  })
})
