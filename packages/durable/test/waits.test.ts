/**
 * Durable waits across processes: an approval, a signal and a sleep each survive a restart and are
 * resolved from another process; a version change while waiting; cancel while waiting (the saga
 * compensates); the journal's audit (who approved, when); purge.
 */
import { afterEach, describe, expect, it } from "vitest"
import { runWorker, type Scratch, scratch, startWorker, type Worker, waitFor } from "./support.ts"

let s: Scratch
let workers: Array<Worker> = []
afterEach(async () => {
  for (const w of workers) await w.kill()
  workers = []
  s?.cleanup()
})

const env = (extra: Record<string, string> = {}) => ({
  STORE: `${s.dir}/journal.db`,
  SIDE_EFFECTS: s.sideEffects,
  ...extra
})
const client = async (...args: Array<string>) => {
  const r = await runWorker(["client", ...args], env())
  return { ok: r.line("OK"), error: r.line("ERROR"), output: r.output }
}
const start = (flow: string, input: unknown, extra: Record<string, string> = {}) => {
  const w = startWorker(["run", flow, JSON.stringify(input)], env(extra))
  workers.push(w)
  return w
}
/** The execution id a worker reported, once it has. */
const idOf = (w: Worker) =>
  waitFor("the execution id", () => {
    const line = w
      .output()
      .split("\n")
      .find((l) => l.startsWith("STARTED "))
    return line === undefined ? undefined : (JSON.parse(line.slice(8)) as string)
  })
/** Polls `show` (from a client process) until the execution waits on `kind name`. */
const waitingOn = (id: string, kind: string, name: string) =>
  waitFor(`${id} to wait on ${kind} ${name}`, async () => {
    const { ok } = await client("show", id)
    return ok?.waitingOn?.some((w: { kind: string; name: string }) => w.kind === kind && w.name === name)
      ? ok
      : undefined
  })
const resultOf = async (w: Worker) => {
  await w.exited
  const out = w.output().split("\n")
  const line = out.find((l) => l.startsWith("RESULT ") || l.startsWith("FAILED "))
  if (line === undefined) throw new Error(`worker ended without a result:\n${w.output()}`)
  return { tag: line.slice(0, line.indexOf(" ")), value: JSON.parse(line.slice(line.indexOf(" ") + 1)) }
}

describe("durable waits", () => {
  it("an approval survives a restart and is given from another process; show keeps who and when", async () => {
    s = scratch()
    const first = start("approved", { n: 5 })
    const id = await idOf(first)
    await waitingOn(id, "approval", "deploy")
    await first.kill()
    // No runner is up: the decision is stored, and the next runner acts on it.
    expect((await client("approve", id, "deploy", "alice")).ok).toBeNull()
    const second = start("approved", { n: 5 })
    const result = await resultOf(second)
    expect(result).toEqual({ tag: "RESULT", value: { deployedBy: "alice" } })
    expect([s.runs("prepare"), s.runs("deploy")]).toEqual([1, 1])
    const shown = (await client("show", id)).ok
    expect(shown.status).toBe("succeeded")
    expect(shown.waits).toEqual([
      expect.objectContaining({ kind: "approval", name: "deploy", approved: true, by: "alice" })
    ])
    expect(shown.waits[0].resolvedAt).toBeGreaterThanOrEqual(shown.waits[0].requestedAt)
    expect(shown.activities.map((a: { name: string }) => a.name)).toEqual([
      "prepare",
      "wait/approval/deploy",
      "deploy"
    ])
  })

  it("a signal sent from another process while the runner waits", async () => {
    s = scratch()
    const runner = start("signalled", { n: 1 })
    const id = await idOf(runner)
    await waitingOn(id, "signal", "ticket")
    expect((await client("signal", id, "ticket", '{"id":"T-9"}')).ok).toBeNull()
    expect(await resultOf(runner)).toEqual({ tag: "RESULT", value: { closed: "T-9" } })
  })

  it("a rejection fails the workflow with who rejected it", async () => {
    s = scratch()
    const runner = start("approved", { n: 6 })
    const id = await idOf(runner)
    await waitingOn(id, "approval", "deploy")
    await client("reject", id, "deploy", "bob")
    const result = await resultOf(runner)
    expect(result.tag).toBe("FAILED")
    expect(result.value[0].error).toMatchObject({
      _tag: "ApprovalRejectedError",
      approval: "deploy",
      by: "bob"
    })
    expect(s.runs("deploy")).toBe(0)
  })

  it("a durable sleep survives a restart: the steps around it run once", async () => {
    s = scratch()
    const first = start("sleepy", { n: 3 }, { NAP: "3 seconds" })
    const id = await idOf(first)
    await waitFor(
      "the nap to start",
      async () =>
        (await client("show", id)).ok?.activities?.some((a: { name: string }) => a.name === "nap/deadline") ||
        undefined
    )
    await first.kill()
    const second = start("sleepy", { n: 3 }, { NAP: "3 seconds" })
    expect(await resultOf(second)).toEqual({ tag: "RESULT", value: { woke: 3 } })
    expect([s.runs("before"), s.runs("after")]).toEqual([1, 1])
  })

  it("a version change while waiting fails the execution naming both versions", async () => {
    s = scratch()
    const first = start("approved", { n: 7 }, { FLOW_VERSION: "1" })
    const id = await idOf(first)
    await waitingOn(id, "approval", "deploy")
    await first.kill()
    await client("approve", id, "deploy", "carol")
    const second = start("approved", { n: 7 }, { FLOW_VERSION: "2" })
    const result = await resultOf(second)
    expect(result.value[0].error).toMatchObject({
      _tag: "VersionMismatchError",
      startedOn: "1",
      current: "2"
    })
    expect(result.value[0].error.message).toContain("version 1")
    expect(s.runs("deploy")).toBe(0)
  })

  it("cancel while waiting runs the saga's compensation once; purge then forgets the execution", async () => {
    s = scratch()
    const runner = start("cancellable", { n: 4 })
    const id = await idOf(runner)
    await waitingOn(id, "approval", "go")
    expect((await client("cancel", id)).ok).toBeNull()
    const result = await resultOf(runner)
    expect(result.tag).toBe("FAILED")
    expect(s.runs("unhold")).toBe(1)
    expect(s.lines().find((l) => l.startsWith("run unhold "))).toContain('{"held":4}')
    expect(s.runs("finish")).toBe(0)
    const listed = (await client("list")).ok
    expect(listed).toEqual([expect.objectContaining({ id, workflow: "cancellable", status: "cancelled" })])
    expect((await client("purge", "0")).ok).toEqual({ purged: 1 })
    expect((await client("show", id)).error[0]).toMatchObject({
      _tag: "UnknownExecutionError",
      executionId: id
    })
  })
})
