/**
 * A runner group on this machine, for the demo and by hand:
 *   pnpm --filter @tta/durable group [--runners 3] [--jobs 150] [--kill] [--keep]
 * starts PostgreSQL (Debian's `postgresql` package, a throwaway cluster on 127.0.0.1), N runner
 * processes (Durable.runners) and a client that submits jobs of 3-5 activities; shows how the shards
 * and the activities spread over the runners; with --kill, SIGKILLs one runner mid-run and shows the
 * others finishing its work. --keep leaves PostgreSQL and the runners up (prints the URL) until Ctrl-C.
 * Everything it started is stopped on exit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { PgTestCluster } from "../src/testing/index.ts"
import { groupProc, lastLine, lockOwners, type Proc, until } from "../test/group.ts"

const { values } = parseArgs({
  options: {
    runners: { type: "string", default: "3" },
    jobs: { type: "string", default: "150" },
    kill: { type: "boolean", default: false },
    keep: { type: "boolean", default: false }
  }
})
const k = Number(values.runners)
const n = Number(values.jobs)
const pg = await PgTestCluster.start()
const dir = mkdtempSync(join(os.tmpdir(), "tta-group-"))
const side = join(dir, "side-effects")
const lines = () => (existsSync(side) ? readFileSync(side, "utf8").split("\n").filter(Boolean) : [])
const procs: Array<Proc> = []
const stopAll = async () => {
  for (const p of procs) await p.kill()
  pg.stop()
  rmSync(dir, { recursive: true, force: true })
}
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)))

try {
  console.log(`PostgreSQL ${pg.url}`)
  const env = { STORE: pg.url, SIDE_EFFECTS: side, SHARDS: "24", STEP_MS: "50" }
  const runners = Array.from({ length: k }, () => groupProc(["serve"], env))
  procs.push(...runners)
  for (const r of runners) await until("a runner", () => r.output().includes("SERVING"), 120_000, runners)
  const names = new Map(
    runners.map((r, i) => [
      lastLine(r.output(), "SERVING").address as string,
      `runner-${i + 1} (pid ${r.pid})`
    ])
  )
  await until(
    "every shard held",
    async () =>
      (await lockOwners(pg.url))?.size === 24 && new Set((await lockOwners(pg.url))!.values()).size === k,
    120_000,
    runners
  )
  const shardsOf = async () => {
    const counts = new Map<string, number>()
    for (const a of (await lockOwners(pg.url))!.values())
      counts.set(names.get(a) ?? a, (counts.get(names.get(a) ?? a) ?? 0) + 1)
    return [...counts].map(([r, c]) => `${r}: ${c} shards`).join(", ")
  }
  console.log(`${k} runners up: ${await shardsOf()}`)
  const client = groupProc(["submit", "demo", String(n)], env)
  procs.push(client)
  if (values.kill && k > 1) {
    await until("a quarter of the activities", () => lines().length >= n, 300_000, procs)
    const at = Date.now()
    await runners[0]!.kill()
    console.log(`killed ${[...names.values()][0]} (kill -9) after ${lines().length} activities`)
    await until(
      "the others to take its shards",
      async () => {
        const o = await lockOwners(pg.url)
        return o?.size === 24 && ![...o.values()].some((a) => names.get(a) === [...names.values()][0])
      },
      300_000,
      procs
    )
    console.log(`its shards moved in ${Date.now() - at} ms: ${await shardsOf()}`)
  }
  const done = await until("the jobs", () => lastLine(client.output(), "DONE"), 600_000, procs)
  const perPid = new Map<string, number>()
  for (const l of lines()) perPid.set(l.split(" ")[3]!, (perPid.get(l.split(" ")[3]!) ?? 0) + 1)
  console.log(`${done.n} jobs done in ${done.ms} ms (${done.wrong} wrong); activities per runner:`)
  for (const r of runners) console.log(`  pid ${r.pid}: ${perPid.get(String(r.pid)) ?? 0}`)
  if (values.keep) {
    console.log("runners and PostgreSQL stay up; Ctrl-C stops them")
    await new Promise(() => {})
  }
} finally {
  await stopAll()
}
