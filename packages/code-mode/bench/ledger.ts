// What the token account costs an execution (issue 14: "an execute with accounting costs ≤ 1.05×
// one without"). One execution in the real isolate sandbox whose code takes a 1 MB tool result and
// returns a small reduction, run two ways in the same process, paired:
//   without - the execution alone (the calls kept, as Execute.ts keeps them for the answer);
//   with    - the execution plus exactly what Execute.ts does for the account on the answer path:
//             record each call, copy the outcome, leave the execution's job with the ledger, give
//             `tokens` its counting getter. Counting (and formatting the answer it counts) waits.
// Each round runs both, in alternating order; the figure is the median of the rounds' ratios, in
// CPU time (process.cpuUsage: every thread, the isolate's included) and in wall time, with the
// spread (quartiles, min–max). Beside it, the work that was moved off the path, timed alone: the
// job that counts one such execution when figures are asked for, and what counting at once did.
// Run: node --conditions=@tta/source bench/ledger.ts   (ROUNDS=41 by default; part of `pnpm bench`)
import type { ToolCatalog } from "@tta/codegen"
import { Sandbox } from "@tta/sandbox"
import { Effect, Exit, Scope } from "effect"
import * as Execute from "../src/Execute.ts"
import * as Ledger from "../src/Ledger.ts"
import { writeSection } from "./section.ts"

const rounds = Number(process.env.ROUNDS ?? process.env.N ?? 41)
// Executions per timed sample: a sample of ~50 ms CPU is less at the mercy of one GC or one
// preempted time slice than a single ~10 ms execution.
const batch = Number(process.env.BATCH ?? 5)
const rows = Array.from({ length: 20_000 }, (_, i) => ({
  id: i,
  service: `svc-${i % 40}`,
  latencyMs: i % 997
}))
const text = JSON.stringify(rows)
const result = { content: [{ type: "text" as const, text }], structuredContent: { rows } }
const catalog = {
  servers: [
    {
      name: "metrics",
      tools: [{ name: "query_range", description: "PromQL", inputSchema: { type: "object" } }]
    }
  ]
} as unknown as ToolCatalog
const code = `const r = await host.callTool("metrics", "query_range", {}) as { rows: Array<{ service: string; latencyMs: number }> }
const slow = r.rows.filter((x) => x.latencyMs > 990).map((x) => x.service)
export default [...new Set(slow)].length`
const record = { server: "metrics", tool: "query_range", ok: true, outcome: "ok" as const, durationMs: 1 }

interface Cost {
  readonly cpu: number
  readonly wall: number
}
const measure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const c = process.cpuUsage()
    const t = performance.now()
    const value = yield* effect
    const wall = performance.now() - t
    const u = process.cpuUsage(c)
    return { value, cost: { cpu: (u.user + u.system) / 1000, wall } satisfies Cost }
  })

const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))]!
}
const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
const spread = (xs: ReadonlyArray<number>, digits = 3) =>
  `${quantile(xs, 0.5).toFixed(digits)} (quartiles ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)}, min–max ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`

const program = Effect.gen(function* () {
  const sandbox = yield* Sandbox
  const execute = (onCall: (call: Ledger.FullCall) => void) =>
    sandbox.execute({
      code,
      host: {
        callTool: () =>
          Effect.sync(() => {
            onCall({ server: "metrics", tool: "query_range", input: {}, result, record })
            return { rows }
          })
      }
    })
  const outcomeOf = (
    out: Effect.Success<ReturnType<typeof execute>>,
    calls: ReadonlyArray<Ledger.FullCall>
  ) => ({
    value: out.value,
    logs: out.logs,
    toolCalls: calls.map((c) => c.record),
    durationMs: out.durationMs,
    truncated: out.truncated
  })
  const without = Effect.gen(function* () {
    const calls: Array<Ledger.FullCall> = []
    const out = yield* execute((call) => calls.push(call))
    return outcomeOf(out, calls)
  })
  // What Execute.ts does: the ledger belongs to the session (made before, outside the timing).
  const withLedger = (ledger: Ledger.Ledger) =>
    Effect.gen(function* () {
      const calls: Array<Ledger.FullCall> = []
      const out = yield* execute((call) => {
        calls.push(call)
        ledger.record(call.record)
      })
      return Execute.withTokens(ledger, { catalog, calls, code }, outcomeOf(out, calls))
    })
  // A session per run: its scope is closed after the timing, dropping the job it left (the job's
  // own cost is measured apart below), so no counting lands inside a later run's timing.
  const inSession = <A, E, R>(f: (ledger: Ledger.Ledger) => Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const ledger = yield* Scope.provide(Ledger.make(), scope)
      const r = yield* measure(f(ledger))
      yield* Scope.close(scope, Exit.void)
      return { ledger, ...r }
    })

  yield* without // warm-up: isolate pool, JIT
  yield* inSession(withLedger)
  const cpuRatio: Array<number> = []
  const wallRatio: Array<number> = []
  const cpu = { without: [] as Array<number>, with: [] as Array<number> }
  for (let i = 0; i < rounds; i++) {
    const runWithout = Effect.map(measure(Effect.repeat(without, { times: batch - 1 })), (r) => r.cost)
    const runWith = Effect.map(
      inSession((ledger) => Effect.repeat(withLedger(ledger), { times: batch - 1 })),
      (r) => r.cost
    )
    // Alternating order, so neither way always runs first.
    let a: Cost
    let b: Cost
    if (i % 2 === 0) {
      a = yield* runWithout
      b = yield* runWith
    } else {
      b = yield* runWith
      a = yield* runWithout
    }
    cpu.without.push(a.cpu)
    cpu.with.push(b.cpu)
    cpuRatio.push(b.cpu / a.cpu)
    wallRatio.push(b.wall / a.wall)
  }

  // Off the path: the job an execution leaves, run alone (what a session's next macrotask pays);
  // and counting at once, as before (the execution plus its count, on the answer path).
  const deferred: Array<number> = []
  const atOnce: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const { value } = yield* inSession(withLedger)
    deferred.push((yield* measure(Effect.sync(() => value.tokens))).cost.cpu)
    atOnce.push(
      (yield* inSession((l) => Effect.map(withLedger(l), (o) => o.tokens))).cost.cpu /
        (quantile(cpu.without, 0.5) / batch)
    )
  }
  return { cpuRatio, wallRatio, cpu, deferred, atOnce }
})

const r = await Effect.runPromise(program.pipe(Effect.provide(Sandbox.layer)))
const section = `## Token account on the execute path

Measured with \`node --conditions=@tta/source bench/ledger.ts\` (part of \`pnpm bench\`) on ${new Date().toISOString().slice(0, 10)}:
one isolate execution whose code reduces a ${(text.length / 1e6).toFixed(2)} MB tool result; ${rounds} rounds, each timing ${batch}
executions without and ${batch} with the token account, in alternating order; ratio = with / without
within a round.

| | median (quartiles, min–max) | goal |
|---|---|---:|
| CPU of ${batch} executions alone (ms) | ${spread(r.cpu.without, 1)} | |
| CPU of ${batch} with the account (ms) | ${spread(r.cpu.with, 1)} | |
| CPU ratio, with / without | ${spread(r.cpuRatio)} | ≤ 1.05× |
| CPU ratio of the ${rounds} rounds' totals | ${(sum(r.cpu.with) / sum(r.cpu.without)).toFixed(3)} | ≤ 1.05× |
| wall ratio, with / without | ${spread(r.wallRatio)} | |

Moved off the path: counting one such execution (the job it leaves; the 1 MB result counted once,
as its text) costs ${quantile(r.deferred, 0.5).toFixed(1)} ms CPU, paid only when the session's figures are asked for; counting
it with the execution made the execution ${quantile(r.atOnce, 0.5).toFixed(2)}× as costly (CPU, median of 3).
`
writeSection("## Token account on the execute path", section)
console.log(section)
