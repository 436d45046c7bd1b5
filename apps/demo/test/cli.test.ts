// `node apps/demo/src/main.ts` as a user runs it (from the TypeScript sources here, so no build is
// needed): the whole demo in a child process, read back through --json.
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import type { Demo } from "@tta/demo"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)
const main = join(import.meta.dirname, "..", "src", "main.ts")
const node = (args: ReadonlyArray<string>) =>
  run(process.execPath, ["--conditions=@tta/source", main, ...args], { maxBuffer: 64 * 1024 * 1024 })

describe("demo CLI", () => {
  it("--json: two runs on the real servers, the second reusing the skill, and the report written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tta-demo-cli-"))
    const { stdout } = await node(["--json", "--dir", dir])
    const result = JSON.parse(stdout) as Demo.DemoResult
    expect(result.servers.map((s) => s.name).sort()).toEqual([
      "docs",
      "everything",
      "filesystem",
      "memory",
      "metrics"
    ])
    expect(result.runs.map((r) => [r.runId, r.ok, r.skillReused])).toEqual([
      ["triage-1", true, false],
      ["triage-2", true, true]
    ])
    expect(result.runs[0]!.result!.critical).toEqual(["payments"])
    expect(result.totals.savedVsDirect).toBeGreaterThan(99)
    expect(result.mermaid.startsWith("flowchart TD")).toBe(true)
    expect(result.reportPath).toBe(join(dir, "report.html"))
    expect(existsSync(result.reportPath)).toBe(true)
    expect(readdirSync(join(dir, "files", "reports")).sort()).toEqual([
      "incident-triage-1.md",
      "incident-triage-2.md"
    ])
  }, 90_000)

  it("refuses an unknown argument with the usage line", async () => {
    const error = await node(["--nope"]).catch((e: { code: number; stderr: string }) => e)
    expect(error).toMatchObject({ code: 2 })
    expect((error as { stderr: string }).stderr).toMatch(/usage: .*--json.*\n.*unknown argument: --nope/)
  })

  it("--help prints every flag on stdout and exits 0", async () => {
    const { stdout } = await node(["--help"])
    expect(stdout).toMatch(/^usage: /)
    for (const flag of ["--json", "--llm", "--fail", "--crash", "--in-memory", "--runners N", "--dir <path>"])
      expect(stdout).toContain(`\n  ${flag} `)
  })

  it("--llm without ANTHROPIC_API_KEY says what it needs", async () => {
    const env = { ...process.env }
    delete env.ANTHROPIC_API_KEY
    const error = await run(process.execPath, ["--conditions=@tta/source", main, "--llm"], { env }).catch(
      (e: { code: number; stderr: string }) => e
    )
    expect(error).toMatchObject({ code: 1 })
    expect((error as { stderr: string }).stderr).toContain("--llm needs ANTHROPIC_API_KEY")
  }, 60_000)
})
