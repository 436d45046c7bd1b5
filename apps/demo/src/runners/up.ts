/**
 * A local runner group to try things on: a throwaway PostgreSQL (Debian's `postgresql`) and N
 * `tta workflows runner` processes running the demo's triage, until Ctrl-C (or SIGTERM), which stops
 * the runners and deletes the database.
 *
 *   node --no-node-snapshot apps/demo/src/runners/up.ts [--runners 3] [--dir <path>]
 *
 * It prints the `TTA_DATABASE_URL` to give `tta workflows ls|show|…` and `pnpm demo`'s clients.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { PgTestCluster } from "@tta/durable/testing"
import { type Runner, signalGroup, startRunner } from "./RunnersDemo.ts"

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const n = Number(arg("--runners") ?? 3)
if (!Number.isInteger(n) || n < 1 || n > 8) {
  console.error("usage: up.ts [--runners 1-8] [--dir <path>]")
  process.exit(2)
}
const dir = resolve(arg("--dir") ?? mkdtempSync(join(tmpdir(), "tta-runners-")))

const pg = await PgTestCluster.start()
const runners: Array<Runner> = []
let stopping = false
const stop = async (code: number) => {
  if (stopping) return
  stopping = true
  for (const r of runners) signalGroup(r.child, "SIGTERM")
  await Promise.all(runners.map((r) => r.exited))
  pg.stop()
  console.log("stopped: runners and PostgreSQL")
  process.exit(code)
}
process.once("SIGINT", () => void stop(0))
process.once("SIGTERM", () => void stop(0))

try {
  for (let i = 0; i < n; i++)
    runners.push(
      startRunner(pg.url, dir, (e) =>
        console.log(`[${e.pid}] ${e.step} ${e.run.slice(0, 8)} ${e.detail.slice(0, 80)}`)
      )
    )
  await Promise.all(runners.map((r) => r.up))
  console.log(
    `ready: ${n} runner${n === 1 ? "" : "s"} (${runners.map((r) => r.child.pid).join(", ")}) on PostgreSQL`
  )
  console.log(`TTA_DATABASE_URL=${pg.url}`)
  console.log(`files: ${dir}   (Ctrl-C stops everything)`)
} catch (e) {
  console.error(`up failed: ${e instanceof Error ? e.message : String(e)}`)
  await stop(1)
}
