// `tta serve` stops, and leaves no downstream server running, however its client or parent goes away:
// stdin closed, SIGTERM/SIGINT/SIGHUP, a wrapper shell or a Node parent killed, tta itself killed
// with SIGKILL. Each case looks at the real process tree (/proc) before and after.
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { describe, expect, it } from "vitest"
import { alive, cmdline, descendants, handshake, node, ttaArgv, waitFor } from "./processes.ts"
import { tempSession } from "./support.ts"

const session = tempSession()
const config = join(session.dir, "two.json")
writeFileSync(
  config,
  JSON.stringify({
    mcpServers: { filesystem: session.mcpServers.filesystem, memory: session.mcpServers.memory },
    codeMode: { typeCheck: false }
  })
)
const serve = (...extra: Array<string>) =>
  ttaArgv(["-c", config, "--dir", join(session.dir, ".tta"), "serve", ...extra])
const isServer = (pid: number) => /server-(filesystem|memory)/.test(cmdline(pid))
const isTta = (pid: number) => cmdline(pid).startsWith(`${node} ${ttaArgv([])[0]}`)

/** Spawns `command` (tta itself, or something that starts it), has the gateway start both servers. */
const launch = async (command: string, args: ReadonlyArray<string>) => {
  const proc = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk))
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk))
  let exitCode: number | null | undefined
  proc.on("exit", (code) => (exitCode = code))
  const exited = () =>
    waitFor("the launched process to exit", () => exitCode !== undefined && { code: exitCode })
  proc.stdin.write(handshake)
  await waitFor(`the search_tools answer (stderr: ${stderr})`, () => stdout.includes('"id":2'))
  const tree = descendants(proc.pid!)
  const tta = [proc.pid!, ...tree].find(isTta)!
  const servers = tree.filter(isServer)
  expect(servers).toHaveLength(2)
  return { proc, tta, servers, exited, stderr: () => stderr }
}

const allGone = (pids: ReadonlyArray<number>) =>
  waitFor(`${pids.join(", ")} to exit`, () => pids.every((pid) => !alive(pid)))

// The polling bound in waitFor (90 s) is the safety net; a test takes as long as tta needs to stop.
describe("tta serve leaves nothing running", { timeout: 180_000 }, () => {
  it("when its client closes stdin: exits 0", async () => {
    const { proc, tta, servers, exited, stderr } = await launch(node, serve())
    proc.stdin.end()
    expect((await exited()).code).toBe(0)
    await allGone([tta, ...servers])
    expect(stderr()).toContain("stopping: stdin closed")
  })

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`on ${signal}`, async () => {
      const { tta, servers, exited } = await launch(node, serve())
      process.kill(tta, signal)
      await exited()
      await allGone([tta, ...servers])
    })
  }

  it("when a wrapper shell that started it is killed (stdin still open)", async () => {
    // `; :` keeps sh from exec'ing node, so tta's parent is the shell.
    const { proc, tta, servers } = await launch("sh", ["-c", '"$@"; :', "sh", node, ...serve()])
    expect(tta).not.toBe(proc.pid)
    process.kill(proc.pid!, "SIGKILL")
    await allGone([tta, ...servers])
    proc.stdin.end()
  })

  it("when the Node parent that piped its stdin exits", async () => {
    const parent = `const c = require("node:child_process").spawn(process.argv[1], process.argv.slice(2), { stdio: ["pipe", "inherit", "inherit"] }); process.stdin.pipe(c.stdin)`
    const { proc, tta, servers } = await launch(node, ["-e", parent, node, ...serve()])
    process.kill(proc.pid!, "SIGKILL")
    await allGone([tta, ...servers])
  })

  it("when tta itself is killed with SIGKILL: the servers see their stdin close and exit", async () => {
    const { tta, servers } = await launch(node, serve())
    process.kill(tta, "SIGKILL")
    await allGone([tta, ...servers])
  })

  it("serve --http: when the wrapper shell that started it is killed", async () => {
    const proc = spawn("sh", ["-c", '"$@"; :', "sh", node, ...serve("--http", "0")], {
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk))
    const url = await waitFor("the listening line", () => /listening on (\S+)/.exec(stderr)?.[1])
    const client = new Client({ name: "t", version: "1" })
    await client.connect(new StreamableHTTPClientTransport(new URL(url)))
    await client.callTool({ name: "search_tools", arguments: { query: "x" } })
    const tree = descendants(proc.pid!)
    const tta = tree.find(isTta)!
    const servers = tree.filter(isServer)
    expect(servers).toHaveLength(2)
    await client.close()
    process.kill(proc.pid!, "SIGKILL")
    await allGone([tta, ...servers])
  })
})
