/**
 * `pnpm bench` (part 2): a runner group on one local PostgreSQL (PgTestCluster).
 * - throughput: BENCH_N jobs (default 150; the size is 300) of 3-5 activities (STEP_MS 20 ms
 *   of work each) submitted by a client process, run by 1, 2 and 3 runner processes; rounds
 *   (BENCH_ROUNDS, default 2) interleaved 1,2,3 / 3,2,1 so machine load hits every size alike; the
 *   CPU time PostgreSQL, the runners and the client spent (from /proc). Each runner listens on a
 *   loopback address of its own (127.0.0.2, .3, .4).
 * - failover: 3 runners, one SIGKILLed when a quarter of the activities ran; the time from the kill
 *   until the two others hold every shard, and until the first activity of a job the killed runner
 *   had touched ran on a survivor; median of BENCH_FAILOVERS (default 5).
 * Writes bench/runners-results.md.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { PgTestCluster } from "../src/testing/index.ts"
import {
  finalOwners,
  groupProc,
  lastLine,
  lockOwners,
  type Proc,
  runsByActivity,
  until
} from "../test/group.ts"

const n = Number(process.env.BENCH_N ?? 150)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const failovers = Number(process.env.BENCH_FAILOVERS ?? 5)
const shards = 24

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/** CPU seconds (user + system) of a live process; with `children`, also of its reaped children. */
const cpuOf = (pid: number, children = false): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    // fields 14-17 of stat (utime stime cutime cstime), here 11-14 after "pid (comm) "
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)
    return ticks / 100
  } catch {
    return 0
  }
}

/** CPU seconds of the whole PostgreSQL cluster so far: the postmaster, its live and its ended backends. */
const pgCpu = (): number => {
  const postmaster = Number(readFileSync(join(pg.dataDir, "postmaster.pid"), "utf8").split("\n")[0])
  let total = cpuOf(postmaster, true)
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8")
      if (Number(stat.split(") ")[1]!.split(" ")[1]) === postmaster) total += cpuOf(Number(d))
    } catch {}
  }
  return total
}

const pg = await PgTestCluster.start()
const dir = mkdtempSync(join(os.tmpdir(), "tta-bench-runners-"))
let procs: Array<Proc> = []
let batch = 0
// Ctrl-C or a kill: stop the runners and PostgreSQL too (the finally below does not run then)
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    for (const p of procs) p.child.kill("SIGKILL")
    pg.stop()
    rmSync(dir, { recursive: true, force: true })
    process.exit(130)
  })

const killAll = async () => {
  for (const p of procs) await p.kill()
  procs = []
}

/** Starts k runners and waits until the shards have settled on them. */
const group = async (k: number, sideEffects: string) => {
  const env = { STORE: pg.url, SIDE_EFFECTS: sideEffects, SHARDS: String(shards), STEP_MS: "20" }
  // each runner on a loopback address of its own (127.0.0.2, .3, .4): the group relies on no shared host
  const runners = Array.from({ length: k }, (_, i) =>
    groupProc(["serve"], { ...env, RUNNER_HOST: `127.0.0.${i + 2}` })
  )
  procs.push(...runners)
  for (const r of runners) await until("a runner", () => r.output().includes("SERVING"), 120_000, runners)
  const addresses = runners.map((r) => lastLine(r.output(), "SERVING").address as string)
  await until(
    `${k} runners to hold every shard`,
    async () => {
      // settled: every shard on the runner the k-runner hash ring assigns it to (no rebalance left)
      const owners = await lockOwners(pg.url)
      const final = finalOwners(addresses, shards)
      return owners?.size === shards && [...final].every(([shard, a]) => owners.get(shard) === a)
    },
    120_000,
    runners
  )
  return { runners, addresses, env }
}

/** Jobs/s of k runners, and the CPU seconds PostgreSQL, the runners and the client spent on the jobs. */
const throughput = async (k: number) => {
  const { runners, env } = await group(k, join(dir, `tp-${k}-${batch}`))
  const runnersBefore = runners.reduce((t, r) => t + cpuOf(r.pid), 0)
  const pgBefore = pgCpu()
  const client = groupProc(["submit", `tp${batch++}`, String(n)], env)
  procs.push(client)
  const done = await until("the jobs", () => lastLine(client.output(), "DONE"), 600_000, procs)
  const cpu = {
    pg: pgCpu() - pgBefore,
    runners: runners.reduce((t, r) => t + cpuOf(r.pid), 0) - runnersBefore,
    client: done.cpuMs / 1000
  }
  await killAll()
  if (done.wrong !== 0) throw new Error(`wrong results: ${JSON.stringify(done)}`)
  return { rate: n / (done.ms / 1000), seconds: done.ms / 1000, cpu }
}

const failover = async () => {
  const side = join(dir, `fo-${batch}`)
  const lines = () => (existsSync(side) ? readFileSync(side, "utf8").split("\n").filter(Boolean) : [])
  const { runners, addresses, env } = await group(3, side)
  const client = groupProc(["submit", `fo${batch++}`, String(n)], env)
  procs.push(client)
  const doomed = runners[0]!
  await until(
    "a quarter",
    () => lines().length >= n && lines().some((l) => l.includes(` ${doomed.pid} `)),
    300_000,
    procs
  )
  const killedAt = Date.now()
  await doomed.kill()
  const owned = await until(
    "the survivors to hold every shard",
    async () => {
      const owners = await lockOwners(pg.url)
      return owners?.size === shards && ![...owners.values()].includes(addresses[0]!) && Date.now() - killedAt
    },
    300_000,
    procs
  )
  await until("the jobs", () => lastLine(client.output(), "DONE"), 600_000, procs)
  await killAll()
  const byActivity = runsByActivity(lines())
  const touched = new Set(
    [...byActivity]
      .filter(([, runs]) => runs.some((r) => r.pid === String(doomed.pid)))
      .map(([k]) => k.split(" ")[0])
  )
  const resumed = Math.min(
    ...[...byActivity]
      .filter(([k]) => touched.has(k.split(" ")[0]))
      .flatMap(([, runs]) =>
        runs.filter((r) => r.pid !== String(doomed.pid) && r.at > killedAt).map((r) => r.at)
      )
  )
  const again = [...byActivity].filter(([, runs]) => runs.length > 1)
  const wrongAgain = again.filter(([, runs]) => runs[0]!.pid !== String(doomed.pid) || runs.length > 2).length
  return { owned, resumed: resumed - killedAt, again: again.length, wrongAgain }
}

try {
  const perSize = new Map<number, Array<number>>([
    [1, []],
    [2, []],
    [3, []]
  ])
  const cpuPerSize = new Map<number, Array<Awaited<ReturnType<typeof throughput>>>>([
    [1, []],
    [2, []],
    [3, []]
  ])
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 === 0 ? [1, 2, 3] : [3, 2, 1]) {
      const t = await throughput(k)
      perSize.get(k)!.push(t.rate)
      cpuPerSize.get(k)!.push(t)
      console.log(`runners=${k} ${t.rate.toFixed(1)} jobs/s cpu ${JSON.stringify(t.cpu)} in ${t.seconds} s`)
    }
  }
  const fos: Array<Awaited<ReturnType<typeof failover>>> = []
  for (let i = 0; i < failovers; i++) {
    const f = await failover()
    fos.push(f)
    console.log(`failover ${JSON.stringify(f)}`)
  }
  const base = median(perSize.get(1)!)
  const rows = [1, 2, 3].map((k) => {
    const m = median(perSize.get(k)!)
    return `| ${k} | ${m.toFixed(1)} (${perSize
      .get(k)!
      .map((x) => x.toFixed(1))
      .join(", ")}) | ${(m / base).toFixed(2)}x | ${(m / base / k).toFixed(2)} |`
  })
  // CPU per job (ms) and cores busy during the run, summed over the rounds of each size
  const cpuRows = [1, 2, 3].map((k) => {
    const ts = cpuPerSize.get(k)!
    const sum = (f: (t: (typeof ts)[number]) => number) => ts.reduce((a, t) => a + f(t), 0)
    const secs = sum((t) => t.seconds)
    const jobs = n * ts.length
    const part = (f: (t: (typeof ts)[number]) => number) =>
      `${((sum(f) * 1000) / jobs).toFixed(1)} ms (${(sum(f) / secs).toFixed(2)})`
    return `| ${k} | ${part((t) => t.cpu.pg)} | ${part((t) => t.cpu.runners)} | ${part((t) => t.cpu.client)} | ${(
      sum((t) => t.cpu.pg + t.cpu.runners + t.cpu.client) / secs
    ).toFixed(2)} |`
  })
  const text = `# @tta/durable: a runner group on one PostgreSQL

Command: \`pnpm --filter @tta/durable bench\` (this part: \`node --conditions=@tta/source bench/runners.ts\`;
BENCH_N=${n}, BENCH_ROUNDS=${rounds}, BENCH_FAILOVERS=${failovers}). Machine: ${os.cpus().length} cores, Node ${process.version};
load average at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} (a busy, shared machine).
Jobs of 3, 4 and 5 activities in turn (20 ms of work each), ${shards} shards, submitted by a client process.

| runners | jobs/s median (rounds) | ratio to 1 runner | efficiency (ratio / runners) |
|---:|---:|---:|---:|
${rows.join("\n")}

Where the CPU went (per job, and in parentheses cores busy on average during the runs; /proc CPU time
of the PostgreSQL cluster's processes, the runner processes and the client process):

| runners | PostgreSQL | runners | client | cores busy, all three |
|---:|---:|---:|---:|---:|
${cpuRows.join("\n")}

Failover after \`kill -9\` of one of 3 runners (${failovers} runs): the survivors hold every shard after
${fos.map((f) => f.owned).join(", ")} ms (median ${median(fos.map((f) => f.owned))} ms); the first activity of a job the
killed runner had touched ran on a survivor ${fos.map((f) => f.resumed).join(", ")} ms after the kill (median
${median(fos.map((f) => f.resumed))} ms). Activities run twice: ${fos.map((f) => f.again).join(", ")} (each one the killed runner was inside;
runs not explained by the kill: ${fos.map((f) => f.wrongAgain).join(", ")}).
`
  writeFileSync(join(import.meta.dirname, "runners-results.md"), text)
  console.log(text)
} finally {
  await killAll()
  pg.stop()
  rmSync(dir, { recursive: true, force: true })
}
