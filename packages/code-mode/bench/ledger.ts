// What the token account costs an execution (issue 14: "an execute with accounting costs ≤ 1.05×
// one without"). One execution in the real isolate sandbox whose code takes a 1 MB tool result and
// returns a small reduction, timed three ways in the same run, paired, median of N:
//   without  - the execution alone;
//   with     - the execution plus what the Ledger does on the answer path (format the answer the
//              client receives, leave a job);
//   counted  - the execution plus counting its o200k tokens at once (what happened before).
// Run: node --conditions=@tta/source bench/ledger.ts
import type { ToolCatalog } from "@tta/codegen"
import { type LogEntry, Sandbox } from "@tta/sandbox"
import { Effect, Exit, Scope } from "effect"
import * as Responses from "../src/gateway/Responses.ts"
import * as Ledger from "../src/Ledger.ts"

const N = Number(process.env.N ?? 15)
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

const program = Effect.gen(function* () {
  const sandbox = yield* Sandbox
  const scope = yield* Scope.make()
  const ledger = yield* Scope.provide(Ledger.make(), scope)
  const run = Effect.gen(function* () {
    const calls: Array<Ledger.FullCall> = []
    const out = yield* sandbox.execute({
      code,
      host: {
        callTool: (server: unknown, tool: unknown) =>
          Effect.sync(() => {
            calls.push({
              server: String(server),
              tool: String(tool),
              input: {},
              result,
              record: { server: "metrics", tool: "query_range", ok: true, outcome: "ok", durationMs: 1 }
            })
            return { rows }
          })
      }
    })
    return { out, calls }
  })
  const outcome = (
    r: { out: { value: unknown; logs: ReadonlyArray<LogEntry>; durationMs: number; truncated: boolean } },
    calls: ReadonlyArray<Ledger.FullCall>
  ) => ({
    value: r.out.value,
    logs: r.out.logs,
    toolCalls: calls.map((c) => c.record),
    durationMs: r.out.durationMs,
    truncated: r.out.truncated,
    tokens: undefined as never
  })
  const time = <A>(effect: Effect.Effect<A, unknown>) =>
    Effect.gen(function* () {
      const t = performance.now()
      yield* effect
      return performance.now() - t
    })
  const without = time(run)
  const withLedger = time(
    Effect.tap(run, ({ out, calls }) =>
      Effect.sync(() => {
        const response = Responses.execute(outcome({ out }, calls), { verbose: false })
        ledger.execution({ catalog, calls, code, response })
      })
    )
  )
  const counted = time(
    Effect.tap(run, ({ out, calls }) =>
      Effect.sync(() => {
        const response = Responses.execute(outcome({ out }, calls), { verbose: false })
        ledger.execution({ catalog, calls, code, response })()
      })
    )
  )
  yield* run // warm-up
  const a: Array<number> = []
  const b: Array<number> = []
  const c: Array<number> = []
  // Rotated order, so no way is always first (the machine is shared and busy).
  const ways = [
    [without, a],
    [withLedger, b],
    [counted, c]
  ] as const
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < 3; k++) {
      const [way, out] = ways[(i + k) % 3]!
      out.push(yield* way)
      // Count what the run left now, outside the timings (else it lands in the next run's).
      ledger.figures(catalog)
    }
  }
  yield* Scope.close(scope, Exit.void)
  const median = (xs: Array<number>) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  const [ma, mb, mc] = [median(a), median(b), median(c)]
  console.log(`1 MB tool result (${(text.length / 1e6).toFixed(2)} MB), N=${N}, medians:`)
  console.log(`  execution alone           ${ma.toFixed(1)} ms`)
  console.log(`  + ledger on the answer path ${mb.toFixed(1)} ms  (${(mb / ma).toFixed(3)}×)`)
  console.log(`  + o200k counted at once   ${mc.toFixed(1)} ms  (${(mc / ma).toFixed(3)}×)`)
})

await Effect.runPromise(program.pipe(Effect.provide(Sandbox.layer)))
