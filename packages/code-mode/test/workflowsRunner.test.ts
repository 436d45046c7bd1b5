// `tta workflows runner` as a user runs it: it loads a module of workflow definitions, resumes an
// execution whose first runner was SIGKILLed, finishes it once `tta workflows approve` is given, and
// refuses to be a second runner on one embedded store.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Model } from "@tta/durable"
import { afterAll, describe, expect, it } from "vitest"
import { waitFor } from "./processes.ts"
import { runTta, ttaBin } from "./ttaSources.ts"

const fixtures = join(import.meta.dirname, "fixtures")
const dir = mkdtempSync(join(tmpdir(), "tta-runner-"))
const store = join(dir, "durable.db")
const sideEffects = join(dir, "side-effects.log")
const env = { ...process.env, STORE: store, SIDE_EFFECTS: sideEffects }

const tta = (args: ReadonlyArray<string>) => runTta(args, { cwd: dir, env })

const children: Array<ChildProcess> = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
})

const start = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--conditions=@tta/source", ...args], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.push(child)
  let text = ""
  child.stdout!.on("data", (d) => (text += d))
  child.stderr!.on("data", (d) => (text += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => text }
}

const find = async (id: string): Promise<Model.ExecutionSummary | undefined> => {
  const r = await tta(["--json", "workflows", "ls", "--store", store])
  return r.code === 0
    ? (JSON.parse(r.stdout) as Array<Model.ExecutionSummary>).find((e) => e.id === id)
    : undefined
}
const effects = () => (existsSync(sideEffects) ? readFileSync(sideEffects, "utf8").trim().split("\n") : [])

/** A runner starts a `release` execution of `n` and is SIGKILLed once it waits for the approval: its id. */
const startAndKillWhileWaiting = async (n: number): Promise<string> => {
  const first = start([join(fixtures, "durableRunner.ts"), "release", JSON.stringify({ n })])
  const id = await waitFor("the execution id", () => {
    const line = first
      .output()
      .split("\n")
      .find((l) => l.startsWith("STARTED "))
    return line ? (JSON.parse(line.slice(8)) as string) : undefined
  })
  await waitFor("the approval wait", async () =>
    (await find(id))?.waitingOn.some((w) => w.name === "ship-it") ? true : undefined
  )
  first.child.kill("SIGKILL")
  await first.exited
  return id
}

describe("tta workflows runner", () => {
  it("resumes a killed runner's execution, finishes it once approved, and is the only runner", async () => {
    // A first runner starts the execution and is killed while it waits for the approval.
    const id = await startAndKillWhileWaiting(5)

    const runner = start([
      ttaBin,
      "workflows",
      "runner",
      "--workflows",
      join(fixtures, "flows.ts"),
      "--store",
      store
    ])
    const up = await waitFor(
      "the runner",
      () => /runner (\d+) on embedded .*: release v1, gate v1/.exec(runner.output()) ?? undefined
    )
    expect(Number(up[1])).toBe(runner.child.pid)

    // A second runner on the same embedded store is refused, in one line.
    const second = await tta([
      "workflows",
      "runner",
      "--workflows",
      join(fixtures, "flows.ts"),
      "--store",
      store
    ])
    expect(second.code).toBe(3)
    expect(second.stderr.trim().split("\n")).toHaveLength(1)
    expect(second.stderr).toContain(String(runner.child.pid))

    const approved = await tta(["workflows", "approve", id, "ship-it", "--by", "carol", "--store", store])
    expect(approved.code).toBe(0)
    await waitFor("the execution to finish", async () =>
      (await find(id))?.status === "succeeded" ? true : undefined
    )
    // prepare ran once (in the killed runner), finish once (in `tta workflows runner`).
    expect(effects()).toEqual(["prepare 5", "finish"])

    runner.child.kill("SIGTERM")
    await runner.exited
    // Stopped cleanly: another runner can take the store.
    const next = start([
      ttaBin,
      "workflows",
      "runner",
      "--workflows",
      join(fixtures, "flows.ts"),
      "--store",
      store
    ])
    await waitFor("the next runner", () => (/runner \d+ on embedded/.test(next.output()) ? true : undefined))
    next.child.kill("SIGTERM")
    await next.exited
  }, 240_000)

  it("says what is wrong with a module that cannot be used", async () => {
    const missing = await tta(["workflows", "runner", "--workflows", "nope.ts", "--store", store])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^tta: cannot load workflows from nope\.ts: .+\n$/)
    const empty = await tta([
      "workflows",
      "runner",
      "--workflows",
      join(fixtures, "noWorkflows.ts"),
      "--store",
      store
    ])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("exports no `workflows`: an array of Durable.workflow(...) definitions")
  }, 60_000)

  it.skipIf(!existsSync(join(import.meta.dirname, "..", "dist", "bin", "tta.js")))(
    "the bundled bin runs a module built on another copy of effect on that copy",
    async () => {
      const id = await startAndKillWhileWaiting(7)
      const bundled = join(import.meta.dirname, "..", "bin", "tta.js")
      const runner = start([
        bundled,
        "workflows",
        "runner",
        "--workflows",
        join(fixtures, "flows.ts"),
        "--store",
        store
      ])
      await waitFor("the bundled runner", () =>
        /runner \d+ on embedded/.test(runner.output()) ? true : undefined
      )
      expect((await tta(["workflows", "approve", id, "ship-it", "--store", store])).code).toBe(0)
      await waitFor("the execution to finish", async () =>
        (await find(id))?.status === "succeeded" ? true : undefined
      )
      // prepare ran once (in the killed runner), finish once (on the bundled runner, the module's copy).
      const lines = effects()
      expect(lines.slice(lines.indexOf("prepare 7"))).toEqual(["prepare 7", "finish"])
      runner.child.kill("SIGTERM")
      await runner.exited
    },
    120_000
  )
})
