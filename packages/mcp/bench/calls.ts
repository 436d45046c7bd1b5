// Small warm calls: McpHub.callTool against the raw SDK Client.callTool (wall and CPU, per
// call), and the throughput of 1,000 concurrent calls, on server-everything's `echo`.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { McpHub, type McpHubService } from "@tta/mcp"
import { Effect, Tracer } from "effect"

const pkgDir = join(import.meta.dirname, "..", "node_modules", "@modelcontextprotocol", "server-everything")
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { bin: Record<string, string> }
const server = {
  command: process.execPath,
  args: [join(pkgDir, pkg.bin["mcp-server-everything"] as string), "stdio"]
}
const ARGS = { message: "hello" }

export const ROUNDS = 101
export const PER_ROUND = 50
export const WARMUP = 1000
export const CONCURRENT = 1000
export const CONCURRENT_ROUNDS = 7

const median = (xs: ReadonlyArray<number>) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export interface Sample {
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
export let spanCount = 0
const recordingTracer = Tracer.make({
  span(options) {
    spanCount++
    return new Tracer.NativeSpan(options)
  }
})

type Side = "raw" | "hub" | "traced"

export interface CallsResult {
  readonly wall: Record<Side, number>
  readonly cpu: Record<Side, number>
  /** Medians of per-round ratios to the raw client. */
  readonly wallRatio: Record<"hub" | "traced", number>
  readonly cpuRatio: Record<"hub" | "traced", number>
  /** Calls per second, median of interleaved rounds. */
  readonly throughput: {
    readonly raw: number
    readonly hub: number
    readonly ratio: number
    readonly failures: number
  }
}

export const calls = Effect.gen(function* () {
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
  // on every side alike; a ratio is the median of per-round ratios.
  const samples: Record<Side, Array<Sample>> = { raw: [], hub: [], traced: [] }
  const ratios = { hubWall: [] as Array<number>, tracedWall: [] as Array<number> }
  const cpuRatios = { hub: [] as Array<number>, traced: [] as Array<number> }
  const order = [
    ["raw", rawLoop(PER_ROUND)],
    ["hub", hubLoop(PER_ROUND)],
    ["traced", tracedLoop(PER_ROUND)]
  ] as const
  for (let r = 0; r < ROUNDS; r++) {
    const round = {} as Record<Side, Sample>
    for (let k = 0; k < order.length; k++) {
      const [name, loop] = order[(r + k) % order.length] as (typeof order)[number]
      round[name] = yield* Effect.promise(() => timed(PER_ROUND, loop))
      samples[name].push(round[name])
    }
    ratios.hubWall.push(round.hub.wallUs / round.raw.wallUs)
    ratios.tracedWall.push(round.traced.wallUs / round.raw.wallUs)
    cpuRatios.hub.push(round.hub.cpuUs / round.raw.cpuUs)
    cpuRatios.traced.push(round.traced.cpuUs / round.raw.cpuUs)
  }

  // Throughput: 1,000 calls started at once, raw and hub alternating.
  const tput = { raw: [] as Array<number>, hub: [] as Array<number>, ratio: [] as Array<number> }
  let failures = 0
  for (let r = 0; r < CONCURRENT_ROUNDS; r++) {
    const rawMs = yield* Effect.promise(async () => {
      const t0 = performance.now()
      const results = await Promise.allSettled(
        Array.from({ length: CONCURRENT }, () => raw.callTool({ name: "echo", arguments: ARGS }))
      )
      failures += results.filter((x) => x.status === "rejected").length
      return performance.now() - t0
    })
    const hubMs = yield* Effect.gen(function* () {
      const t0 = performance.now()
      const results = yield* Effect.forEach(
        Array.from({ length: CONCURRENT }),
        () => Effect.result(hub.callTool("everything", "echo", ARGS)),
        { concurrency: "unbounded" }
      )
      failures += results.filter((x) => x._tag === "Failure").length
      return performance.now() - t0
    })
    tput.raw.push(CONCURRENT / (rawMs / 1000))
    tput.hub.push(CONCURRENT / (hubMs / 1000))
    tput.ratio.push(rawMs / hubMs)
  }

  const wall = (side: Side) => median(samples[side].map((x) => x.wallUs))
  const cpu = (side: Side) => median(samples[side].map((x) => x.cpuUs))
  const result: CallsResult = {
    wall: { raw: wall("raw"), hub: wall("hub"), traced: wall("traced") },
    cpu: { raw: cpu("raw"), hub: cpu("hub"), traced: cpu("traced") },
    wallRatio: { hub: median(ratios.hubWall), traced: median(ratios.tracedWall) },
    cpuRatio: { hub: median(cpuRatios.hub), traced: median(cpuRatios.traced) },
    throughput: { raw: median(tput.raw), hub: median(tput.hub), ratio: median(tput.ratio), failures }
  }
  return result
}).pipe(Effect.scoped)
