// Runs the whole vitest suite once and ends with one plain summary line
// ("tests: N passed, N failed, N skipped") that CI reads.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = mkdtempSync(join(tmpdir(), "tta-test-"))
const report = join(dir, "report.json")
const run = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2)
  ],
  { stdio: "inherit" }
)
let code = run.status ?? 1
try {
  const r = JSON.parse(readFileSync(report, "utf8")) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    numTotalTests: number
  }
  console.log(
    `\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`
  )
  if (r.numTotalTests === 0) code = 1
} catch {
  console.log("\ntests: 0 passed, 1 failed")
  code = code || 1
}
rmSync(dir, { recursive: true, force: true })
process.exit(code)
