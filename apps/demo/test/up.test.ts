// The local runner group (src/runners/up.ts): PostgreSQL and two runners come up, `tta workflows ls`
// reaches them through the printed TTA_DATABASE_URL, and Ctrl-C (SIGINT) stops everything.
import { execFile, spawn } from "node:child_process"
import { connect } from "node:net"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { PgTestCluster } from "@tta/durable/testing"
import { describe, expect, it } from "vitest"

const execFileP = promisify(execFile)
const up = join(import.meta.dirname, "..", "src", "runners", "up.ts")
const tta = join(dirname(fileURLToPath(import.meta.resolve("@tta/code-mode"))), "bin", "tta.ts")

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve(false)
    })
    socket.once("error", () => resolve(true))
  })

describe.skipIf(!PgTestCluster.isAvailable())("runners/up.ts", () => {
  it("starts PostgreSQL and the runners, serves tta workflows, stops all on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      ["--no-node-snapshot", "--conditions=@tta/source", up, "--runners", "2"],
      {
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let text = ""
    child.stdout!.on("data", (d) => (text += d))
    child.stderr!.on("data", (d) => (text += d))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", () => {
          const m = /TTA_DATABASE_URL=(\S+)/.exec(text)
          if (m) resolve(m[1]!)
        })
        child.on("exit", () => reject(new Error(`up.ts exited: ${text}`)))
      })
      const pids = /ready: 2 runners \((\d+), (\d+)\)/.exec(text)!.slice(1).map(Number)
      const ls = await execFileP(process.execPath, ["--conditions=@tta/source", tta, "workflows", "ls"], {
        env: { ...process.env, TTA_DATABASE_URL: url }
      })
      expect(ls.stdout).toBe("no workflows\n")
      child.kill("SIGINT")
      expect(await exited).toBe(0)
      expect(text).toContain("stopped: runners and PostgreSQL")
      for (const pid of pids) expect(() => process.kill(-pid, 0)).toThrow()
      expect(await refused(Number(new URL(url).port))).toBe(true)
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT")
    }
  }, 180_000)
})
