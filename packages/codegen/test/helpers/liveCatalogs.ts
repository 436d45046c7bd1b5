// Captures the live tool catalogs of the real reference MCP servers, started from node_modules.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { Server } from "../../src/Catalog.ts"

const packageDir = (name: string) =>
  join(import.meta.dirname, "..", "..", "node_modules", "@modelcontextprotocol", name)

const binOf = (name: string): string => {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")) as {
    bin: string | Record<string, string>
  }
  const bin = typeof pkg.bin === "string" ? pkg.bin : Object.values(pkg.bin)[0]!
  return join(packageDir(name), bin)
}

const listTools = async (
  server: string,
  pkg: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<Server> => {
  const client = new Client({ name: "tta-codegen-test", version: "0.0.0" })
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binOf(pkg), ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "ignore"
  })
  await client.connect(transport)
  try {
    const tools = []
    let cursor: string | undefined
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor })
      tools.push(...page.tools)
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return { name: server, tools }
  } finally {
    await client.close()
  }
}

/** The three reference servers' catalogs, fetched live over stdio. */
export const liveServers = async (): Promise<ReadonlyArray<Server>> => {
  const dir = mkdtempSync(join(tmpdir(), "tta-codegen-live-"))
  try {
    return await Promise.all([
      listTools("everything", "server-everything", ["stdio"]),
      listTools("filesystem", "server-filesystem", [dir]),
      listTools("memory", "server-memory", [], { MEMORY_FILE_PATH: join(dir, "memory.jsonl") })
    ])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
