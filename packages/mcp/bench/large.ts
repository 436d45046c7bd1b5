// Large results: a 1 / 10 / 20 MB tools/call result (structuredContent + its text copy) received
// and decoded by McpHub and by the raw SDK Client, beside JSON.parse of the same bytes, all in
// this process, interleaved. The measure is this process's CPU time (the server's work to
// build and send the payload runs in its own process); wall time is shown too.
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { McpHub, type McpHubService } from "@tta/mcp"
import { Effect } from "effect"

const server = { command: process.execPath, args: [join(import.meta.dirname, "servers", "payload.ts")] }
const LIMIT = 64 * 1024 * 1024
const SIZES = [
  { mb: 1, rounds: 15 },
  { mb: 10, rounds: 5 },
  { mb: 20, rounds: 3 }
] as const

interface Cost {
  readonly cpuMs: number
  readonly wallMs: number
}

const measure = async (f: () => Promise<unknown>): Promise<Cost> => {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await f()
  const cpu = process.cpuUsage(cpu0)
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 }
}

const median = (xs: ReadonlyArray<number>) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export interface LargeRow {
  readonly mb: number
  readonly bytes: number
  readonly parse: Cost
  readonly hub: Cost
  readonly hubUnchecked: Cost
  readonly raw: Cost
  readonly hubRatio: number
  readonly hubUncheckedRatio: number
  readonly rawRatio: number
}

type Side = "parse" | "hub" | "hubUnchecked" | "raw"

export const large = Effect.gen(function* () {
  const config = { mcpServers: { payload: { type: "stdio" as const, ...server, env: {} } } }
  const hub = yield* McpHub.make(config, { maxResultBytes: LIMIT })
  const unchecked = yield* McpHub.make(config, { maxResultBytes: LIMIT, validateOutput: false })
  const raw = new Client({ name: "bench-raw", version: "0" })
  yield* Effect.promise(() =>
    raw.connect(new StdioClientTransport({ ...server, stderr: "ignore", maxBufferSize: LIMIT }))
  )
  yield* Effect.addFinalizer(() => Effect.promise(() => raw.close()))
  // The raw client validates output only for tools it has listed.
  yield* Effect.promise(() => raw.listTools())

  const rows: Array<LargeRow> = []
  for (const { mb, rounds } of SIZES) {
    const args = { megabytes: mb }
    // The bytes of the message as the server sends it (same JSON, same order).
    const result = yield* hub.callToolResult("payload", "points", args)
    const line = JSON.stringify({ result, jsonrpc: "2.0", id: 1 })
    const hubCall = (h: McpHubService) => () => Effect.runPromise(h.callTool("payload", "points", args))
    const sides: Record<Side, () => Promise<unknown>> = {
      parse: async () => JSON.parse(line),
      hub: hubCall(hub),
      hubUnchecked: hubCall(unchecked),
      raw: () => raw.callTool({ name: "points", arguments: args })
    }
    const order = Object.keys(sides) as Array<Side>
    // Warm (JIT) once, on the smallest size: a raw 20 MB call costs seconds.
    if (mb === SIZES[0].mb) for (const side of order) yield* Effect.promise(sides[side])
    const costs: Record<Side, Array<Cost>> = { parse: [], hub: [], hubUnchecked: [], raw: [] }
    const ratios = { hub: [] as Array<number>, hubUnchecked: [] as Array<number>, raw: [] as Array<number> }
    for (let r = 0; r < rounds; r++) {
      const round = {} as Record<Side, Cost>
      for (let k = 0; k < order.length; k++) {
        const side = order[(r + k) % order.length] as Side
        round[side] = yield* Effect.promise(() => measure(sides[side]))
        costs[side].push(round[side])
      }
      ratios.hub.push(round.hub.cpuMs / round.parse.cpuMs)
      ratios.hubUnchecked.push(round.hubUnchecked.cpuMs / round.parse.cpuMs)
      ratios.raw.push(round.raw.cpuMs / round.parse.cpuMs)
    }
    const med = (side: Side): Cost => ({
      cpuMs: median(costs[side].map((c) => c.cpuMs)),
      wallMs: median(costs[side].map((c) => c.wallMs))
    })
    rows.push({
      mb,
      bytes: Buffer.byteLength(line),
      parse: med("parse"),
      hub: med("hub"),
      hubUnchecked: med("hubUnchecked"),
      raw: med("raw"),
      hubRatio: median(ratios.hub),
      hubUncheckedRatio: median(ratios.hubUnchecked),
      rawRatio: median(ratios.raw)
    })
  }
  return rows
}).pipe(Effect.scoped)
