/**
 * `pnpm bench`: the cost of one activity (one durable step) through @tta/durable against the bare
 * engine (effect/workflow activities written by hand) on the same store, runner and SQL client, in
 * one process, rounds interleaved (the pair's order alternating) so machine load hits both alike.
 * Stores: embedded SQLite in each `synchronous` mode, a throwaway local PostgreSQL (fsync on,
 * synchronous_commit on) when the `postgresql` package is installed, and effect's in-memory engine
 * (no store: what our own code adds per activity). Prints, and writes to bench/results.md, each
 * goal's figure beside its baseline: median of the rounds with the spread (p25–p75), and the
 * overhead as the median of per-round ours/bare ratios.
 * BENCH_ROUNDS (default 31), BENCH_STEPS (activities per workflow, default 20) and BENCH_STORES
 * (e.g. `SELECTED,postgres`; default `SELECTED,FULL,NORMAL,postgres,memory`) tune the run.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { Primitive, sequence } from "@tta/core"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { Activity, Workflow, WorkflowEngine } from "effect/workflow"
import * as Durable from "../src/Durable.ts"
import * as Engine from "../src/Engine.ts"
import * as Store from "../src/Store.ts"
import { PgTestCluster } from "../src/testing/index.ts"
import { quartiles, type Spread, show } from "./stats.ts"

const rounds = Number(process.env.BENCH_ROUNDS ?? 31)
const steps = Number(process.env.BENCH_STEPS ?? 20)
const wanted = (process.env.BENCH_STORES ?? "SELECTED,FULL,NORMAL,postgres,memory").split(",")

// The same work three ways: n + 1, `steps` times.
const primitive = sequence(
  ...Array.from({ length: steps }, (_, i) => Primitive.lift(`s${i}`, (n: number) => n + 1))
)
const ours = Durable.workflow("ours", primitive, { input: Schema.Number })
const Bare = Workflow.make("bare", {
  payload: { n: Schema.Number },
  success: Schema.Number,
  idempotencyKey: (p) => String(p.n)
})
const bareLayer = Bare.toLayer((payload) =>
  Effect.gen(function* () {
    let x = payload.n
    for (let i = 0; i < steps; i++) {
      const input = x
      x = yield* Activity.make({
        name: `s${i}`,
        success: Schema.Number,
        execute: Effect.sync(() => input + 1)
      })
    }
    return x
  })
)

interface Target {
  readonly name: string
  readonly runtime: ManagedRuntime.ManagedRuntime<any, any>
  /** Workflows per sample: the in-memory engine is too fast to time one alone. */
  readonly batch: number
}

const target = (name: string, engine: Layer.Layer<any, any>, batch = 1): Target => ({
  name,
  batch,
  runtime: ManagedRuntime.make(
    Layer.mergeAll(ours.layer, bareLayer).pipe(Layer.provideMerge(engine)) as Layer.Layer<any, any>
  )
})

const variants = {
  bare: (n: number) => Bare.execute({ n }),
  ours: (n: number) => ours.run(n)
} as const
type Variant = keyof typeof variants

let input = Date.now() % 1_000_000_000
/** Wall-clock and CPU (user + system of this process) milliseconds per activity. */
const time = async (t: Target, variant: Variant) => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < t.batch; i++) {
    const n = input++
    const result = await t.runtime.runPromise(variants[variant](n))
    if (result !== n + steps) throw new Error(`wrong result ${result} for ${n}`)
  }
  const elapsed = performance.now() - start
  const used = process.cpuUsage(cpu)
  const activities = steps * t.batch
  return { wall: elapsed / activities, cpu: (used.user + used.system) / 1000 / activities }
}

interface Row {
  readonly store: string
  readonly bare: { readonly wall: Spread; readonly cpu: Spread }
  readonly ours: { readonly wall: Spread; readonly cpu: Spread }
  /** Per-round ours / bare. */
  readonly ratio: { readonly wall: Spread; readonly cpu: Spread }
}

const measure = async (targets: ReadonlyArray<Target>): Promise<Array<Row>> => {
  const samples = new Map<string, Array<number>>()
  const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v])
  // Warm-up: migrations, shard acquisition, JIT.
  for (const t of targets)
    for (let i = 0; i < 2; i++) for (const v of ["bare", "ours"] as const) await time(t, v)
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      // Alternate which goes first, so neither always meets a cold cache or a checkpoint.
      const order: ReadonlyArray<Variant> = r % 2 === 0 ? ["bare", "ours"] : ["ours", "bare"]
      const got: Record<string, { wall: number; cpu: number }> = {}
      for (const v of order) got[v] = await time(t, v)
      for (const v of order) {
        add(`${t.name} ${v} wall`, got[v]!.wall)
        add(`${t.name} ${v} cpu`, got[v]!.cpu)
      }
      add(`${t.name} ratio wall`, got.ours!.wall / got.bare!.wall)
      add(`${t.name} ratio cpu`, got.ours!.cpu / got.bare!.cpu)
    }
  }
  const q = (key: string) => quartiles(samples.get(key)!)
  return targets.map((t) => ({
    store: t.name,
    bare: { wall: q(`${t.name} bare wall`), cpu: q(`${t.name} bare cpu`) },
    ours: { wall: q(`${t.name} ours wall`), cpu: q(`${t.name} ours cpu`) },
    ratio: { wall: q(`${t.name} ratio wall`), cpu: q(`${t.name} ratio cpu`) }
  }))
}

const inMemoryMicros = async () => {
  const reps = 500
  const start = performance.now()
  for (let i = 0; i < reps; i++) await Effect.runPromise(primitive.run(i))
  return ((performance.now() - start) / reps / steps) * 1000
}

const goalRows = (rows: ReadonlyArray<Row>) => {
  const row = (store: string) => rows.find((r) => r.store === store)
  const met = (ok: boolean) => (ok ? "met" : "NOT met")
  const out: Array<string> = []
  const ms = (store: string, goal: number, label: string) => {
    const r = row(store)
    if (r === undefined) return
    out.push(
      `| ≤ ${goal} ms per activity, ${label} | ${show(r.ours.wall)} ms wall (CPU ${show(r.ours.cpu)}) | ` +
        `bare engine ${show(r.bare.wall)} ms wall (CPU ${show(r.bare.cpu)}) | ${met(r.ours.wall.median <= goal)} |`
    )
  }
  ms("embedded SELECTED", 3, "embedded (SELECTED, the default)")
  ms("postgres", 5, "local PostgreSQL")
  for (const r of rows) {
    if (r.store === "in-memory engine") continue
    out.push(
      `| overhead over the bare engine ≤ 1.1×, ${r.store} | ${show(r.ratio.wall, 2)}× wall, ${show(r.ratio.cpu, 2)}× CPU | ` +
        `bare engine = 1× (same store, same round) | ${met(r.ratio.wall.median <= 1.1 && r.ratio.cpu.median <= 1.1)} |`
    )
  }
  return out
}

const report = (rows: ReadonlyArray<Row>, memoryMicros: number, seconds: number) => {
  const engine = rows.find((r) => r.store === "in-memory engine")
  const table = [
    "| store | bare engine ms/activity wall · CPU | @tta/durable ms/activity wall · CPU | ours / bare per round, wall · CPU |",
    "|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.store} | ${show(r.bare.wall)} · ${show(r.bare.cpu)} | ${show(r.ours.wall)} · ${show(r.ours.cpu)} | ` +
        `${show(r.ratio.wall, 2)}× · ${show(r.ratio.cpu, 2)}× |`
    )
  ].join("\n")
  return `# @tta/durable: cost of one activity

Median of ${rounds} interleaved rounds, spread p25–p75 in brackets; each round runs one workflow of
${steps} activities per variant (bare engine and @tta/durable on the same store and runner; the
in-memory engine runs 50 workflows per sample). Ratios are per round (ours / bare in the same round),
then the median. CPU is this process's user + system time (PostgreSQL's own CPU is not in it).
Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}; load average at the end
${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(" ")}; the bench took ${seconds.toFixed(0)} s.
Command: \`cd packages/durable && pnpm bench\` (BENCH_ROUNDS, BENCH_STEPS, BENCH_STORES).

## Goals

| goal | @tta/durable | baseline | |
|---|---|---|---|
${goalRows(rows).join("\n")}

## All stores

${table}

The same primitive run in memory by @tta/core (no engine, no journal): ${memoryMicros.toFixed(2)} µs per step.
${
  engine === undefined
    ? ""
    : `On effect's in-memory engine (no store) our compiler adds ${((engine.ours.cpu.median - engine.bare.cpu.median) * 1000).toFixed(1)} µs CPU per activity ` +
      `(${(engine.bare.cpu.median * 1000).toFixed(1)} → ${(engine.ours.cpu.median * 1000).toFixed(1)} µs): the part of the overhead that is ours, whatever the store.`
}

Embedded modes (SqliteClient.Synchronous): SELECTED (the default) syncs each step's result, starts and
decisions before the engine goes on; FULL syncs every commit (also shard-lock and heartbeat
bookkeeping); NORMAL syncs none (a killed process loses nothing, a power loss may roll back the last
commits). PostgreSQL runs with its defaults (fsync on, synchronous_commit on).
`
}

const main = async () => {
  const began = performance.now()
  const dir = mkdtempSync(join(os.tmpdir(), "tta-durable-bench-"))
  const targets: Array<Target> = (["SELECTED", "FULL", "NORMAL"] as const)
    .filter((mode) => wanted.includes(mode))
    .map((mode) =>
      target(
        `embedded ${mode}`,
        Engine.layer(
          { store: Store.embedded({ path: join(dir, `${mode}.db`), synchronous: mode }) },
          "runner"
        )
      )
    )
  const pg =
    PgTestCluster.isAvailable() && wanted.includes("postgres") ? await PgTestCluster.start() : undefined
  if (pg !== undefined)
    targets.push(target("postgres", Engine.layer({ store: Store.postgres({ url: pg.url }) }, "runner")))
  if (wanted.includes("memory")) targets.push(target("in-memory engine", WorkflowEngine.layerMemory, 50))
  let rows: Array<Row>
  try {
    rows = await measure(targets)
  } finally {
    for (const t of targets) await t.runtime.dispose()
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const text = report(rows, await inMemoryMicros(), (performance.now() - began) / 1000)
  writeFileSync(join(import.meta.dirname, "results.md"), text)
  console.log(text)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
