// Test support for the CLI's process hygiene: the `tta` command line, the process tree under a pid
// (read from /proc), and waiting on a condition by polling with a bound instead of sleeping.
import { readdirSync, readFileSync } from "node:fs"
import { inject } from "vitest"

export const node = process.execPath
/** `tta` as a user runs it: the bundled bin (test/globalSetup.ts) under Node 24. */
export const ttaArgv = (args: ReadonlyArray<string>) => [inject("ttaBin"), ...args]

const stat = (pid: number): { ppid: number; state: string } | undefined => {
  try {
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ")".
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ")
    return { ppid: Number(ppid), state: state! }
  } catch {
    return undefined
  }
}

/** Running (a zombie waiting for its parent to reap it counts as gone). */
export const alive = (pid: number) => {
  const s = stat(pid)
  return s !== undefined && s.state !== "Z" && s.state !== "X"
}

/** Every live process under `pid` (children, grandchildren, …). */
export const descendants = (pid: number): Array<number> => {
  const parents = new Map<number, Array<number>>()
  for (const entry of readdirSync("/proc")) {
    const child = Number(entry)
    if (!Number.isInteger(child)) continue
    const s = stat(child)
    if (s === undefined || !alive(child)) continue
    parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), child])
  }
  const out: Array<number> = []
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c)
      walk(c)
    }
  }
  walk(pid)
  return out
}

/**
 * Polls `check` until it returns a value other than undefined/false. The bound is a safety net for a
 * broken build, far above what a loaded machine needs; the test waits only as long as the condition.
 */
export const waitFor = async <A>(
  what: string,
  check: () => Promise<A | undefined | false> | A | undefined | false,
  boundMs = 90_000
): Promise<A> => {
  const deadline = Date.now() + boundMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** JSON-RPC lines an MCP client sends to start a session and make the gateway start every server. */
export const handshake = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } }
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  // search_tools reads the catalog, which connects (spawns) every configured server.
  { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "search_tools", arguments: { query: "x" } } }
]
  .map((m) => `${JSON.stringify(m)}\n`)
  .join("")

/** The command line of a live process ("" once it is gone). */
export const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")
  } catch {
    return ""
  }
}
