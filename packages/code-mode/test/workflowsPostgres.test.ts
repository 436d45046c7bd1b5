// `tta workflows` on PostgreSQL: a throwaway cluster (Debian's postgresql), a runner process on it,
// and `tta` found through TTA_DATABASE_URL (no --store) listing, showing and approving.
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import type { Model } from "@tta/durable"
import { PgTestCluster } from "@tta/durable/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runTta } from "./ttaSources.ts"

const runnerBin = join(import.meta.dirname, "fixtures", "durableRunner.ts")

describe.skipIf(!PgTestCluster.isAvailable())("tta workflows on PostgreSQL", () => {
  let pg: PgTestCluster.PgTestCluster
  let runner: ChildProcess | undefined
  beforeAll(async () => {
    pg = await PgTestCluster.start()
  }, 120_000)
  afterAll(() => {
    if (runner && runner.exitCode === null && runner.signalCode === null) runner.kill("SIGKILL")
    pg?.stop()
  })

  const tta = (args: ReadonlyArray<string>) =>
    runTta(args, { env: { ...process.env, TTA_DATABASE_URL: pg.url } })

  it("lists, shows and approves an execution a runner runs on PostgreSQL", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=@tta/source", runnerBin, "release", JSON.stringify({ n: 1 })],
      {
        env: { ...process.env, STORE: pg.url },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    runner = child
    let text = ""
    child.stdout!.on("data", (d) => (text += d))
    child.stderr!.on("data", (d) => (text += d))
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
    const deadline = Date.now() + 90_000
    let id: string | undefined
    for (;;) {
      const r = await tta(["--json", "workflows", "ls"])
      const found =
        r.code === 0
          ? (JSON.parse(r.stdout) as Array<Model.ExecutionSummary>).find((e) =>
              e.waitingOn.some((w) => w.name === "ship-it")
            )
          : undefined
      if (found) {
        id = found.id
        break
      }
      if (Date.now() > deadline) throw new Error(`no waiting execution; runner said: ${text}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const show = await tta(["workflows", "show", id])
    expect(show.stdout).toContain(`${id}  release v1  waiting`)
    expect(show.stdout).toContain("… approval ship-it waiting")
    const ok = await tta(["workflows", "approve", id, "ship-it", "--by", "dana"])
    expect(ok).toMatchObject({ code: 0, stdout: `approved ship-it of ${id} (by dana)\n` })
    await exited
    expect(text).toContain('RESULT {"shippedBy":"dana"}')
    const after = await tta(["workflows", "show", id])
    expect(after.stdout).toContain(`${id}  release v1  succeeded`)
    expect(after.stdout).toMatch(/✓ approval ship-it approved by dana at /)
  }, 180_000)
})
