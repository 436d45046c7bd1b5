/**
 * `pnpm bench`: the cost of one activity (one durable step) through @tta/durable against the bare
 * engine on the same store (effect/workflow activities written by hand, same SQL client, same
 * sharding config) and against the same primitive run in memory, in one process, rounds
 * interleaved so machine load hits every variant alike. Stores: embedded SQLite in each
 * `synchronous` mode, and a throwaway local PostgreSQL (fsync on, synchronous_commit on) when the
 * `postgresql` package is installed. Writes bench/results.md.
 * BENCH_ROUNDS (default 7) and BENCH_STEPS (activities per workflow, default 20) tune the run.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { Primitive, sequence } from "@tta/core"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { Activity, Workflow } from "effect/workflow"
import * as Durable from "../src/Durable.ts"
import * as Engine from "../src/Engine.ts"
import * as Store from "../src/Store.ts"
import { PgTestCluster } from "../src/testing/index.ts"

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const steps = Number(process.env.BENCH_STEPS ?? 20)

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

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

interface Target {
  readonly name: string
  readonly runtime: ManagedRuntime.ManagedRuntime<any, any>
}

const targetFor = (name: string, store: Store.StoreConfig): Target => ({
  name,
  runtime: ManagedRuntime.make(
    Layer.mergeAll(ours.layer, bareLayer).pipe(
      Layer.provideMerge(Engine.layer({ store }, "runner"))
    ) as Layer.Layer<any, any>
  )
})

let input = Date.now() % 1_000_000_000
const time = async (runtime: Target["runtime"], run: (n: number) => Effect.Effect<number, unknown, any>) => {
  const n = input++
  const start = performance.now()
  const result = await runtime.runPromise(run(n))
  const elapsed = performance.now() - start
  if (result !== n + steps) throw new Error(`wrong result ${result} for ${n}`)
  return elapsed / steps
}

const main = async () => {
  const dir = mkdtempSync(join(os.tmpdir(), "tta-durable-bench-"))
  const targets: Array<Target> = (["SELECTED", "FULL", "NORMAL"] as const).map((mode) =>
    targetFor(`embedded ${mode}`, Store.embedded({ path: join(dir, `${mode}.db`), synchronous: mode }))
  )
  const pg = PgTestCluster.isAvailable() ? await PgTestCluster.start() : undefined
  if (pg !== undefined) targets.push(targetFor("postgres", Store.postgres({ url: pg.url })))
  const samples = new Map<string, Array<number>>()
  const add = (key: string, v: number) => samples.set(key, [...(samples.get(key) ?? []), v])
  try {
    // Warm-up: migrations, shard acquisition, JIT.
    for (const t of targets) {
      await time(t.runtime, (n) => ours.run(n))
      await time(t.runtime, (n) => Bare.execute({ n }))
    }
    for (let r = 0; r < rounds; r++) {
      const memory = performance.now()
      const reps = 200
      for (let i = 0; i < reps; i++) await Effect.runPromise(primitive.run(i))
      add("in memory", (performance.now() - memory) / reps / steps)
      for (const t of targets) {
        // Alternate which goes first, so neither always meets a cold cache or a checkpoint.
        const pair = [
          ["bare", (n: number) => Bare.execute({ n })],
          ["ours", (n: number) => ours.run(n)]
        ] as const
        for (const [variant, run] of r % 2 === 0 ? pair : [...pair].reverse()) {
          add(`${t.name} ${variant}`, await time(t.runtime, run))
        }
      }
    }
  } finally {
    for (const t of targets) await t.runtime.dispose()
    pg?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const memory = median(samples.get("in memory")!)
  const rows = targets.map((t) => {
    const bare = median(samples.get(`${t.name} bare`)!)
    const o = median(samples.get(`${t.name} ours`)!)
    return { store: t.name, bare, ours: o, overhead: o / bare, vsMemory: o / memory }
  })
  const table = [
    "| store | bare engine ms/activity | @tta/durable ms/activity | ours / bare | ours / in memory |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.store} | ${r.bare.toFixed(2)} | ${r.ours.toFixed(2)} | ${r.overhead.toFixed(2)}x | ${r.vsMemory.toFixed(0)}x |`
    ),
    `| in memory (@tta/core, no journal) | | ${(memory * 1000).toFixed(1)} µs | | 1x |`
  ].join("\n")
  const text = `# @tta/durable: cost of one activity

Median of ${rounds} interleaved rounds; each round runs one workflow of ${steps} activities per
variant (bare engine and @tta/durable on the same store and runner), and the same primitive in
memory 200 times. Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}, Node ${process.version};
load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} (a busy, shared machine).
Command: \`pnpm --filter @tta/durable bench\` (BENCH_ROUNDS, BENCH_STEPS).

${table}

Embedded modes (SqliteClient.Synchronous): SELECTED (the default) syncs each step's result, starts and
decisions before the engine goes on; FULL syncs every commit (also shard-lock and heartbeat
bookkeeping); NORMAL syncs none (a killed process loses nothing, a power loss may roll back the last
commits). PostgreSQL runs with its defaults (fsync on, synchronous_commit on).
`
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
