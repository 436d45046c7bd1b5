// McpHub.callTool against the raw SDK Client.callTool, and 1,000 concurrent calls.
// Run: pnpm bench (from packages/mcp or the root). Prints a table and writes bench/results.md.
import { readFileSync, writeFileSync } from "node:fs"
import { availableParallelism, cpus } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { McpHub, type McpHubService } from "@tta/mcp"
import { Effect, Tracer } from "effect"

const here = fileURLToPath(new URL(".", import.meta.url))
const pkgDir = join(here, "..", "node_modules", "@modelcontextprotocol", "server-everything")
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { bin: Record<string, string> }
const server = {
  command: process.execPath,
  args: [join(pkgDir, pkg.bin["mcp-server-everything"] as string), "stdio"]
}
const ARGS = { message: "hello" }

const ROUNDS = 101
const PER_ROUND = 50
const WARMUP = 1000
const CONCURRENT = 1000

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Sample {
  readonly wallUs: number
  readonly cpuUs: number
}

// Wall time and this process's CPU time (user + system) per call, over `n` sequential calls.
const timed = async (n: number, loop: () => Promise<unknown>): Promise<Sample> => {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await loop()
  const cpu = process.cpuUsage(cpu0)
  return { wallUs: ((performance.now() - t0) * 1000) / n, cpuUs: (cpu.user + cpu.system) / n }
}

// A tracing backend that keeps spans in memory, to price span creation when one is installed.
let spanCount = 0
const recordingTracer = Tracer.make({
  span(options) {
    spanCount++
    return new Tracer.NativeSpan(options)
  }
})

const program = Effect.gen(function* () {
  const hub = yield* McpHub.make({ mcpServers: { everything: { type: "stdio", ...server, env: {} } } })
  const raw = new Client({ name: "bench-raw", version: "0" })
  yield* Effect.promise(() => raw.connect(new StdioClientTransport({ ...server, stderr: "ignore" })))
  yield* Effect.addFinalizer(() => Effect.promise(() => raw.close()))

  const rawLoop = (n: number) => async () => {
    for (let i = 0; i < n; i++) await raw.callTool({ name: "echo", arguments: ARGS })
  }
  const hubCalls = (n: number, h: McpHubService) =>
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* h.callTool("everything", "echo", ARGS)
    })
  const hubLoop = (n: number) => () => Effect.runPromise(hubCalls(n, hub))
  const tracedLoop = (n: number) => () =>
    Effect.runPromise(hubCalls(n, hub).pipe(Effect.withTracer(recordingTracer)))

  // Warm both: process start, JIT, the hub's tool cache and validators.
  yield* Effect.promise(rawLoop(WARMUP))
  yield* Effect.promise(hubLoop(WARMUP))
  yield* Effect.promise(tracedLoop(WARMUP / 10))

  // Short interleaved rounds in rotating order, so load from other jobs on this machine lands
  // on every side alike; the ratio is the median of per-round ratios.
  const samples = { raw: [] as Array<Sample>, hub: [] as Array<Sample>, traced: [] as Array<Sample> }
  const ratios = { hub: [] as Array<number>, traced: [] as Array<number> }
  const order = [
    ["raw", rawLoop(PER_ROUND)],
    ["hub", hubLoop(PER_ROUND)],
    ["traced", tracedLoop(PER_ROUND)]
  ] as const
  for (let r = 0; r < ROUNDS; r++) {
    const round: Partial<Record<"raw" | "hub" | "traced", Sample>> = {}
    for (let k = 0; k < order.length; k++) {
      const [name, loop] = order[(r + k) % order.length] as (typeof order)[number]
      round[name] = yield* Effect.promise(() => timed(PER_ROUND, loop))
      samples[name].push(round[name])
    }
    ratios.hub.push((round.hub as Sample).wallUs / (round.raw as Sample).wallUs)
    ratios.traced.push((round.traced as Sample).wallUs / (round.raw as Sample).wallUs)
  }

  const rawC = yield* Effect.promise(async () => {
    const t0 = performance.now()
    const results = await Promise.allSettled(
      Array.from({ length: CONCURRENT }, () => raw.callTool({ name: "echo", arguments: ARGS }))
    )
    return { failures: results.filter((x) => x.status === "rejected").length, ms: performance.now() - t0 }
  })
  const hubC = yield* Effect.gen(function* () {
    const t0 = performance.now()
    const results = yield* Effect.forEach(
      Array.from({ length: CONCURRENT }),
      () => Effect.result(hub.callTool("everything", "echo", ARGS)),
      { concurrency: "unbounded" }
    )
    return { failures: results.filter((x) => x._tag === "Failure").length, ms: performance.now() - t0 }
  })
  return { samples, ratios, rawC, hubC }
})

const r = await Effect.runPromise(Effect.scoped(program))
const wall = (xs: ReadonlyArray<Sample>) => median(xs.map((x) => x.wallUs))
const cpu = (xs: ReadonlyArray<Sample>) => median(xs.map((x) => x.cpuUs))
const hubRatio = median(r.ratios.hub)
const tput = (c: { ms: number }) => Math.round(CONCURRENT / (c.ms / 1000))
const rows: Array<[string, string, string, string]> = [
  [
    "warm callTool, raw SDK Client",
    wall(r.samples.raw).toFixed(1),
    cpu(r.samples.raw).toFixed(1),
    "baseline"
  ],
  [
    "warm callTool, McpHub",
    wall(r.samples.hub).toFixed(1),
    cpu(r.samples.hub).toFixed(1),
    `${hubRatio.toFixed(3)}× (goal ≤ 1.05×)`
  ],
  [
    "warm callTool, McpHub + tracer recording spans",
    wall(r.samples.traced).toFixed(1),
    cpu(r.samples.traced).toFixed(1),
    `${median(r.ratios.traced).toFixed(3)}×`
  ]
]
const concurrencyRows: Array<[string, string, string]> = [
  [
    `${CONCURRENT} concurrent calls, raw SDK Client`,
    `${r.rawC.failures}`,
    `${tput(r.rawC)} calls/s (${r.rawC.ms.toFixed(0)} ms)`
  ],
  [
    `${CONCURRENT} concurrent calls, McpHub (default maxConcurrency 16)`,
    `${r.hubC.failures}`,
    `${tput(r.hubC)} calls/s (${r.hubC.ms.toFixed(0)} ms)`
  ]
]
console.table(
  rows.map(([what, wallUs, cpuUs, ratio]) => ({ what, "µs/call": wallUs, "cpu µs/call": cpuUs, ratio }))
)
console.table(concurrencyRows.map(([what, failures, throughput]) => ({ what, failures, throughput })))

const md = [
  "# @tta/mcp benchmark",
  "",
  `Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString().slice(0, 10)}.`,
  "Server: `@modelcontextprotocol/server-everything` `echo` over stdio; the hub and the raw client each",
  "start their own process of it in the same run. Warm figures: medians over",
  `${ROUNDS} interleaved rounds of ${PER_ROUND} sequential calls (rotating order) after ${WARMUP} warm-up calls;`,
  "the ratio is the median of per-round wall-time ratios; cpu is this process's user+system time per",
  "call. The hub path includes inputSchema validation, the concurrency limit and metrics on every",
  "call, and a span when a tracer is installed (third row; with no tracing backend the hub creates",
  "no span, as Effect's HTTP middleware does). The machine is shared with other jobs: run-to-run",
  "spread is about ±10%.",
  "",
  "| measure | µs/call | cpu µs/call | vs raw SDK |",
  "|---|---|---|---|",
  ...rows.map((row) => `| ${row.join(" | ")} |`),
  "",
  "| measure | failures | throughput |",
  "|---|---|---|",
  ...concurrencyRows.map((row) => `| ${row.join(" | ")} |`),
  ""
].join("\n")
writeFileSync(join(here, "results.md"), md)
console.log(`wrote ${join(here, "results.md")} (${spanCount} spans recorded by the tracer)`)
