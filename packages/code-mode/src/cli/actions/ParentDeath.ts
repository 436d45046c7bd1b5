/**
 * Downstream stdio servers die with tta, even when tta is killed with SIGKILL and a server ignores
 * its stdin closing. On Linux each one is started through util-linux `setpriv --pdeathsig TERM`,
 * which asks the kernel to send it SIGTERM when tta dies and then execs the server in its own place
 * (same pid, no extra process). Left as it is where setpriv is missing, and for a command that cannot
 * be found or run, so that its own spawn error (`ENOENT`, `EACCES`) is still what tta reports.
 */
import { accessSync, constants } from "node:fs"
import { delimiter, isAbsolute, join, resolve } from "node:path"
import type { McpConfig } from "@tta/mcp"

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The file `command` names, as a spawn without a shell would find it; undefined when there is none. */
const which = (command: string, path: string | undefined, cwd: string): string | undefined => {
  if (command.includes("/")) {
    const file = isAbsolute(command) ? command : resolve(cwd, command)
    return executable(file) ? file : undefined
  }
  return (path ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, command))
    .find(executable)
}

const setpriv = process.platform === "linux" ? which("setpriv", process.env.PATH, process.cwd()) : undefined

export const dieWithTta = (mcp: McpConfig.McpConfig): McpConfig.McpConfig => {
  if (setpriv === undefined) return mcp
  const servers = Object.entries(mcp.mcpServers).map(([name, server]) => {
    if (server.type !== "stdio") return [name, server] as const
    const file = which(server.command, server.env.PATH ?? process.env.PATH, server.cwd ?? process.cwd())
    if (file === undefined) return [name, server] as const
    return [
      name,
      { ...server, command: setpriv, args: ["--pdeathsig", "TERM", "--", file, ...server.args] }
    ] as const
  })
  return { ...mcp, mcpServers: Object.fromEntries(servers) }
}
