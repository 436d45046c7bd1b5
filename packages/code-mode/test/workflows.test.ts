// `tta workflows …` as a user runs it: a runner process (test/fixtures/durableRunner.ts) runs real
// executions on an embedded store while `tta` child processes list, show, approve, reject, signal,
// cancel and purge them.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Model } from "@tta/durable"
import { afterAll, describe, expect, it } from "vitest"
import { waitFor as poll } from "./processes.ts"
import { runTta } from "./ttaSources.ts"

const runnerBin = join(import.meta.dirname, "fixtures", "durableRunner.ts")
const dir = mkdtempSync(join(tmpdir(), "tta-workflows-"))
const store = join(dir, "session", "durable.db")
const sideEffects = join(dir, "side-effects.log")

const tta = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  runTta(["--dir", join(dir, "session"), ...args], { cwd: dir, env: { ...process.env, ...env } })

const children: Array<ChildProcess> = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
})

/** Starts a runner for one execution; resolves its tagged lines as they come. */
const startRunner = (flow: string, input: unknown) => {
  const child = spawn(
    process.execPath,
    ["--conditions=@tta/source", runnerBin, flow, JSON.stringify(input)],
    {
      env: { ...process.env, STORE: store, SIDE_EFFECTS: sideEffects },
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  children.push(child)
  let text = ""
  child.stdout!.on("data", (d) => (text += d))
  child.stderr!.on("data", (d) => (text += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const line = (tag: string): any => {
    const l = text.split("\n").find((x) => x.startsWith(`${tag} `))
    return l === undefined ? undefined : JSON.parse(l.slice(tag.length + 1))
  }
  return { exited, line, output: () => text }
}

/** Polls until `check` gives a value; bounded so a broken runner fails the test instead of hanging. */
const waitFor = <A>(what: string, check: () => Promise<A | undefined> | A | undefined) =>
  poll(what, check, 60_000)

const list = async (): Promise<ReadonlyArray<Model.ExecutionSummary>> => {
  const r = await tta(["--json", "workflows", "ls"])
  return r.code === 0 ? JSON.parse(r.stdout) : []
}
const waitingOn = (id: string, name: string) =>
  waitFor(`${id} to wait on ${name}`, async () =>
    (await list()).find((e) => e.id === id && e.waitingOn.some((w) => w.name === name))
  )
const effects = () => (existsSync(sideEffects) ? readFileSync(sideEffects, "utf8").trim().split("\n") : [])

describe("tta workflows", () => {
  it("says there is no store rather than creating one", async () => {
    const r = await tta(["workflows", "ls"])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toEqual([
      `tta: no workflow store at ${store} (give --store, or set TTA_DATABASE_URL)`
    ])
    expect(existsSync(store)).toBe(false)
  })

  it("lists a waiting workflow, shows its journal, approves it from another process", async () => {
    const runner = startRunner("release", { n: 1 })
    const id = await waitFor("the execution id", () => runner.line("STARTED") as string | undefined)
    const row = await waitingOn(id, "ship-it")
    expect(row).toMatchObject({ workflow: "release", version: "1", status: "waiting" })

    const table = await tta(["workflows", "ls"])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^ID\s+NAME\s+VERSION\s+STATUS\s+STARTED \(UTC\)\s+WAITING ON\n/)
    expect(table.stdout).toMatch(
      new RegExp(
        `${id}\\s+release\\s+1\\s+waiting\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+approval ship-it`
      )
    )

    const before = await tta(["workflows", "show", id])
    expect(before.code).toBe(0)
    expect(before.stdout).toContain(`${id}  release v1  waiting`)
    expect(before.stdout).toMatch(/✓ \S*prepare {2}attempt 1 /)
    expect(before.stdout).toContain("… approval ship-it waiting")

    // Unknown approval and unknown id: one line, exit 2, nothing changed.
    const wrong = await tta(["workflows", "approve", id, "ship-that"])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1)
    expect(wrong.stderr).toContain(
      'no approval named "ship-that" was asked for (it waits on: approval ship-it)'
    )
    const unknown = await tta(["workflows", "show", "nope"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('tta: no execution "nope" in the store (see the ids that `list` shows)\n')

    const ok = await tta(["workflows", "approve", id, "ship-it", "--by", "alice"])
    expect(ok).toMatchObject({ code: 0, stdout: `approved ship-it of ${id} (by alice)\n` })
    expect(await runner.exited).toBe(0)
    expect(runner.line("RESULT")).toEqual({ shippedBy: "alice" })

    const after = await tta(["--json", "workflows", "show", id])
    const detail = JSON.parse(after.stdout) as Model.ExecutionDetail
    expect(detail.status).toBe("succeeded")
    expect(detail.waits).toEqual([
      expect.objectContaining({ kind: "approval", name: "ship-it", approved: true, by: "alice" })
    ])
    const human = await tta(["workflows", "show", id])
    expect(human.stdout).toMatch(/✓ approval ship-it approved by alice at \d{4}-/)
    // Approving twice is refused.
    const again = await tta(["workflows", "approve", id, "ship-it"])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("was already approved by alice")
    expect(effects()).toEqual(["prepare 1", "finish"])
  }, 120_000)

  it("reject fails the workflow and its saga compensates once", async () => {
    const runner = startRunner("release", { n: 2 })
    const id = await waitFor("the execution id", () => runner.line("STARTED") as string | undefined)
    await waitingOn(id, "ship-it")
    const r = await tta(["workflows", "reject", id, "ship-it", "--by", "bob", "--reason", "not today"])
    expect(r).toMatchObject({ code: 0, stdout: `rejected ship-it of ${id} (by bob)\n` })
    expect(await runner.exited).toBe(0)
    expect(JSON.stringify(runner.line("FAILED"))).toContain("not today")
    const show = await tta(["workflows", "show", id])
    expect(show.stdout).toContain(`${id}  release v1  failed`)
    expect(show.stdout).toMatch(/compensations:\n {2}✓ \S*prepare\/compensate/)
    expect(show.stdout).toMatch(/✗ approval ship-it rejected by bob at .*: not today/)
    expect(effects().filter((l) => l.endsWith(" 2"))).toEqual(["prepare 2", "undo prepare 2"])
  }, 120_000)

  it("cancel ends a waiting workflow and runs its compensations", async () => {
    const runner = startRunner("release", { n: 3 })
    const id = await waitFor("the execution id", () => runner.line("STARTED") as string | undefined)
    await waitingOn(id, "ship-it")
    const r = await tta(["workflows", "cancel", id])
    expect(r).toMatchObject({ code: 0, stdout: `cancelled ${id}\n` })
    await waitFor("the cancel", async () =>
      (await list()).find((e) => e.id === id)?.status === "cancelled" ? true : undefined
    )
    await waitFor("the compensation", () => (effects().includes("undo prepare 3") ? true : undefined))
    expect(effects().filter((l) => l.endsWith(" 3"))).toEqual(["prepare 3", "undo prepare 3"])
  }, 120_000)

  it("signal delivers a JSON value; a bad value is a usage error", async () => {
    const runner = startRunner("gate", { n: 1 })
    const id = await waitFor("the execution id", () => runner.line("STARTED") as string | undefined)
    await waitingOn(id, "go")
    const bad = await tta(["workflows", "signal", id, "go", "--value", "{x:"])
    expect(bad).toMatchObject({ code: 2, stderr: "tta: --value is not JSON: {x:\n" })
    const r = await tta(["workflows", "signal", id, "go", "--value", '{"x":7}'])
    expect(r).toMatchObject({ code: 0, stdout: `signalled go to ${id}\n` })
    expect(await runner.exited).toBe(0)
    expect(runner.line("RESULT")).toEqual({ got: 7 })
  }, 120_000)

  it("purge deletes finished journals older than an age and keeps the rest", async () => {
    const bad = await tta(["workflows", "purge", "--older-than", "soon"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--older-than soon: expected a number and a unit")
    const none = await tta(["workflows", "purge", "--older-than", "1d"])
    expect(none).toMatchObject({ code: 0, stdout: "purged 0 finished workflows older than 1d\n" })
    const finished = (await list()).filter((e) => e.status !== "running" && e.status !== "waiting")
    expect(finished.length).toBe(4)
    const all = await tta(["--json", "workflows", "purge", "--older-than", "0s"])
    expect(JSON.parse(all.stdout)).toEqual({ removed: 4 })
    expect(await list()).toEqual([])
  }, 120_000)

  it("an unreachable PostgreSQL is one line naming host and port, never the password", async () => {
    const r = await tta(["workflows", "ls", "--store", "postgres://tta:s3cret@127.0.0.1:1/tta"])
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("cannot reach PostgreSQL at 127.0.0.1:1")
    expect(r.stderr).not.toContain("s3cret")
  }, 60_000)
})
