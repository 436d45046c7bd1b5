// `pnpm demo --crash` as a user runs it: a worker process running the durable triage is SIGKILLed
// (with its MCP servers) inside the health check; a second worker resumes from the embedded store's
// journal, waits for the paging approval, which the real `tta workflows approve` gives.
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import type { CrashReport } from "../src/Crash.ts"
import { groupAlive } from "./processes.ts"

const run = promisify(execFile)
const main = join(import.meta.dirname, "..", "src", "main.ts")

describe("demo --crash", () => {
  it("resumes a killed run from the journal and finishes once paging is approved with the CLI", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tta-demo-crash-"))
    const { stdout } = await run(
      process.execPath,
      ["--conditions=@tta/source", main, "--crash", "--json", "--dir", dir],
      { maxBuffer: 64 * 1024 * 1024 }
    )
    const report = JSON.parse(stdout) as CrashReport
    expect(report.killedAfter.step).toBe("health-check")

    // The checks finished before the kill: the second worker took them from the journal.
    for (const step of ["checks/current-errors", "checks/latency", "assess-severity"])
      expect(report.replayed).toContain(`incident-triage/${step}`)
    const secondSteps = report.secondWorker.map((e) => e.step)
    for (const step of ["current-errors", "latency", "scan-error-history", "assess-severity"])
      expect(secondSteps).not.toContain(step)
    // The health check was interrupted, so it ran again; everything after it ran once, in worker 2.
    expect(report.ranAgain.some((n) => n.endsWith("/health-breaker[8]"))).toBe(true)
    expect(report.replayed.filter((n) => report.ranAfterRestart.includes(n))).toEqual([])
    expect(report.ranAfterRestart).toContain("incident-triage/write-report")
    expect(secondSteps).toContain("page-on-call")

    // The paging call waited for a person; the CLI approved it; the code then ran from the start.
    expect(report.approval.output).toBe(
      `approved agent/notify.ts/call-1 of ${report.executionId} (by on-call-lead)`
    )
    expect(report.journal).toMatch(
      /✓ approval agent\/notify\.ts\/call-1 \(call everything\/echo \{"message":"\[page\] incident-triage-crash: critical payments; .*\) approved by on-call-lead/
    )
    expect(report.ranAfterRestart.filter((n) => /notify\.ts\/.*attempt-\d$/.test(n))).toHaveLength(2)
    expect(report.result).toMatchObject({ critical: ["payments"], warning: ["checkout"], paged: true })
    expect(readdirSync(join(dir, "files", "reports"))).toEqual(["incident-triage-crash.md"])
    // Nothing the demo started is left: neither worker nor any of their servers.
    for (const pid of report.workers) expect(groupAlive(pid)).toBe(false)
  }, 240_000)
})
