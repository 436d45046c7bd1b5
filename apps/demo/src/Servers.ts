/**
 * The MCP servers the demo starts over stdio: the reference servers from npm (filesystem on the
 * run's files/ directory, memory with its own file, everything) and the demo's own metrics and docs
 * servers. Every one runs on this Node (process.execPath), so nothing else needs to be installed.
 */
import { mkdirSync, mkdtempSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"

const require = createRequire(import.meta.url)

/** A package's stdio entry point, resolved from this package's dependencies. */
export const npmServer = (pkg: string): string =>
  join(dirname(require.resolve(`${pkg}/package.json`)), "dist", "index.js")

/** apps/demo, from src/ or dist/. */
export const demoRoot = resolve(import.meta.dirname, "..")

export const ownServer = (name: "metrics" | "docs"): string => join(demoRoot, "servers", `${name}.ts`)

export interface RunDirs {
  /** Everything of one demo run lives under here. */
  readonly root: string
  /** The directory server-filesystem may touch; reports go to `files/reports/`. */
  readonly files: string
  /** server-memory's knowledge graph. */
  readonly memoryFile: string
  /** The code-mode session: skills/ and workspace/. */
  readonly session: string
}

/**
 * Fresh directories for a run (a temp dir unless `root` is given); `files` (default `<root>/files`)
 * may be shared by several runs, as a runner group's runners share the demo's reports.
 */
export const makeDirs = (root?: string, files?: string): RunDirs => {
  const base = root ? resolve(root) : mkdtempSync(join(tmpdir(), "tta-demo-"))
  const dirs = {
    root: base,
    files: files ?? join(base, "files"),
    memoryFile: join(base, "memory.jsonl"),
    session: join(base, "session")
  }
  mkdirSync(join(dirs.files, "reports"), { recursive: true })
  mkdirSync(dirs.session, { recursive: true })
  return dirs
}

export type ServerName = "metrics" | "docs" | "filesystem" | "memory" | "everything"

/** The `mcpServers` section, as a Claude Code / Desktop `.mcp.json` would hold it. */
export const mcpServers = (dirs: RunDirs, only?: ReadonlyArray<ServerName>) => {
  const all = {
    metrics: { command: process.execPath, args: [ownServer("metrics")] },
    docs: { command: process.execPath, args: [ownServer("docs")] },
    filesystem: {
      command: process.execPath,
      args: [npmServer("@modelcontextprotocol/server-filesystem"), dirs.files]
    },
    memory: {
      command: process.execPath,
      args: [npmServer("@modelcontextprotocol/server-memory")],
      env: { MEMORY_FILE_PATH: dirs.memoryFile }
    },
    everything: {
      command: process.execPath,
      args: [npmServer("@modelcontextprotocol/server-everything"), "stdio"]
    }
  }
  return only ? Object.fromEntries(only.map((n) => [n, all[n]])) : all
}
