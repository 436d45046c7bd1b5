// `pnpm demo --runners 2` as a user runs it: a throwaway PostgreSQL, two `tta workflows runner`
// processes with their own MCP servers, four triages spread over them; the first runner to reach a
// severity assessment is SIGKILLed and the other finishes its triages from the journal.
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { PgTestCluster } from "@tta/durable/testing"
import { describe, expect, it } from "vitest"
import type { RunnersReport } from "../src/runners/RunnersDemo.ts"
import { groupAlive } from "./processes.ts"

const run = promisify(execFile)
const main = join(import.meta.dirname, "..", "src", "main.ts")

describe.skipIf(!PgTestCluster.isAvailable())("demo --runners", () => {
  it("spreads triages over runners; a killed runner's triages finish on the other", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tta-demo-runners-"))
    const { stdout } = await run(
      process.execPath,
      ["--conditions=@tta/source", main, "--runners", "2", "--json", "--dir", dir],
      { maxBuffer: 64 * 1024 * 1024 }
    )
    const report = JSON.parse(stdout) as RunnersReport
    expect(Object.values(report.outcomes)).toEqual(["Succeeded", "Succeeded", "Succeeded", "Succeeded"])
    expect(report.runners).toContain(report.killed.pid)
    expect(report.killed.unfinished.length).toBeGreaterThan(0)
    const survivor = report.runners.find((p) => p !== report.killed.pid)
    for (const id of report.killed.unfinished) expect(report.finishedOn[id]).toBe(survivor)
    expect(report.failoverMs).toBeGreaterThan(0)
    // Nothing is left: no runner (nor its servers), no database.
    for (const pid of report.runners) expect(groupAlive(pid)).toBe(false)
    expect(existsSync(report.postgres.dataDir)).toBe(false)
  }, 300_000)
})
