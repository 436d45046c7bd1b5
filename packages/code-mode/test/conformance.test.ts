// The official MCP conformance suite (@modelcontextprotocol/conformance, --suite all) through
// `tta serve --http`, the gateway fronting a server of our own (test/conformance/server.mjs) whose
// tools are exposed `direct` and whose resources, prompts, completions, logging, progress,
// sampling and elicitation pass through. Config: test/conformance/mcp.json, run from the repo root.
import { execFile, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const run = promisify(execFile)
const require = createRequire(import.meta.url)
const repoRoot = join(import.meta.dirname, "..", "..", "..")
const tta = join(import.meta.dirname, "..", "src", "bin", "tta.ts")
const conformance = join(
  dirname(require.resolve("@modelcontextprotocol/conformance/package.json")),
  "dist",
  "index.js"
)

let server: ReturnType<typeof spawn>
let url = ""
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tta-conformance-"))
  server = spawn(
    process.execPath,
    [
      "--conditions=@tta/source",
      tta,
      "-c",
      "packages/code-mode/test/conformance/mcp.json",
      "--dir",
      dir,
      "serve",
      "--http",
      "0"
    ],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] }
  )
  url = await new Promise<string>((resolve, reject) => {
    let err = ""
    server.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString()
      const m = /listening on (\S+)/.exec(err)
      if (m) resolve(m[1]!)
    })
    server.on("exit", (code) => reject(new Error(`tta serve exited ${code}: ${err}`)))
  })
}, 120_000)
afterAll(() => {
  server?.kill("SIGTERM")
})

describe("the official conformance suite through the gateway", () => {
  it("passes every server scenario (--suite all)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tta-conformance-results-"))
    const r = await run(process.execPath, [conformance, "server", "--url", url, "--suite", "all"], {
      cwd,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024
    }).catch((e) => e as { stdout: string; stderr: string })
    const output = `${r.stdout}${r.stderr}`
    const failed = output.split("\n").filter((line) => line.startsWith("✗"))
    expect(failed).toEqual([])
    expect(output).toMatch(/Total: [1-9]\d* passed, 0 failed/)
  }, 600_000)
})
