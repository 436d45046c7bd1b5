import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { McpConfig } from "@tta/mcp"

const here = fileURLToPath(new URL(".", import.meta.url))

/** The bin JS file of an installed npm MCP server, run with this Node (no npx, no network). */
export const binOf = (pkg: string): string => {
  const dir = join(here, "..", "node_modules", pkg)
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    bin: string | Record<string, string>
  }
  const bin = typeof json.bin === "string" ? json.bin : (Object.values(json.bin)[0] as string)
  return join(dir, bin)
}

export const serverScript = (name: string): string => join(here, "servers", `${name}.ts`)

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `tta-mcp-${prefix}-`))

export const stdio = (
  script: string,
  args: ReadonlyArray<string> = [],
  env: Record<string, string> = {}
): McpConfig.Input["mcpServers"][string] => ({ command: process.execPath, args: [script, ...args], env })

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (polling) until `pid` is gone; false if it outlives `ms`. */
export const waitForExit = async (pid: number, ms = 10_000): Promise<boolean> => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (!isAlive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !isAlive(pid)
}

/** Starts the Streamable HTTP test server; resolves with its port and the child to kill. */
export const startHttpServer = (token: string): Promise<{ port: number; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverScript("http"), token], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8")
      const match = /LISTENING (\d+)/.exec(out)
      if (match) resolve({ port: Number(match[1]), child })
    })
    child.once("exit", (code) => reject(new Error(`http test server exited with ${code}`)))
    child.once("error", reject)
  })
