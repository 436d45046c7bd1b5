// The @tta/mcp benchmark: small warm calls and throughput (calls.ts), large results
// (large.ts), each beside the raw SDK Client in the same run. Run: pnpm bench (from
// packages/mcp or the root); `--only calls` / `--only large` runs one part. Prints the tables
// and (full runs only) writes bench/results.md.
import { writeFileSync } from "node:fs"
import { availableParallelism, cpus } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import {
  type CallsResult,
  CONCURRENT,
  CONCURRENT_ROUNDS,
  calls,
  PER_ROUND,
  ROUNDS,
  spanCount,
  WARMUP
} from "./calls.ts"
import { type LargeRow, large } from "./large.ts"

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined
const c: CallsResult | undefined = only === "large" ? undefined : await Effect.runPromise(calls)
const l: ReadonlyArray<LargeRow> | undefined = only === "calls" ? undefined : await Effect.runPromise(large)

const f1 = (x: number) => x.toFixed(1)
const f3 = (x: number) => `${x.toFixed(3)}×`
const lines: Array<string> = [
  "# @tta/mcp benchmark",
  "",
  `Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString().slice(0, 10)}.`,
  "Command: `pnpm bench` in packages/mcp (or the root's `pnpm bench`). The machine is shared with",
  "other jobs: a figure is a median, and each ratio is the median of per-round ratios of sides",
  "measured one right after the other in rotating order.",
  ""
]
if (c !== undefined) {
  const rows = [
    ["warm callTool, raw SDK Client", f1(c.wall.raw), f1(c.cpu.raw), "baseline", "baseline"],
    [
      "warm callTool, McpHub",
      f1(c.wall.hub),
      f1(c.cpu.hub),
      `${f3(c.wallRatio.hub)} (goal ≤ 1.05×)`,
      `${f3(c.cpuRatio.hub)} (goal ≤ 1.05×)`
    ],
    [
      "warm callTool, McpHub + tracer recording spans",
      f1(c.wall.traced),
      f1(c.cpu.traced),
      f3(c.wallRatio.traced),
      f3(c.cpuRatio.traced)
    ]
  ]
  console.table(
    rows.map(([what, w, cpu, wr, cr]) => ({
      what,
      "µs/call": w,
      "cpu µs/call": cpu,
      "wall vs raw": wr,
      "cpu vs raw": cr
    }))
  )
  const t = c.throughput
  console.log(
    `throughput: raw ${t.raw.toFixed(0)}/s, hub ${t.hub.toFixed(0)}/s, ratio ${f3(t.ratio)}, failures ${t.failures}`
  )
  lines.push(
    "## Small calls",
    "",
    "Server: `@modelcontextprotocol/server-everything` `echo` over stdio; the hub and the raw client each",
    `start their own process of it. Warm: ${ROUNDS} rounds of ${PER_ROUND} sequential calls per side after ${WARMUP}`,
    "warm-up calls; cpu is this process's user+system time per call. The hub path includes the",
    "inputSchema check, the concurrency limit and metrics on every call, and a span when a tracer is",
    "installed (third row; with no tracing backend the hub creates no span, as Effect's HTTP",
    "middleware does).",
    "",
    "| measure | µs/call | cpu µs/call | wall vs raw SDK | cpu vs raw SDK |",
    "|---|---|---|---|---|",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
    `Throughput: ${CONCURRENT} calls started at once, ${CONCURRENT_ROUNDS} rounds alternating raw and hub (median).`,
    "",
    "| measure | calls/s | vs raw SDK |",
    "|---|---|---|",
    `| ${CONCURRENT} concurrent calls, raw SDK Client | ${t.raw.toFixed(0)} | baseline |`,
    `| ${CONCURRENT} concurrent calls, McpHub (default maxConcurrency) | ${t.hub.toFixed(0)} | ${f3(t.ratio)} (goal ≥ 0.9×) |`,
    "",
    `(${t.failures} failed calls; ${spanCount} spans recorded by the tracer.)`,
    ""
  )
}
if (l !== undefined) {
  const rows = l.flatMap((r) => [
    [
      `${r.mb} MB: JSON.parse of the message`,
      `${(r.bytes / 1e6).toFixed(1)} MB`,
      f1(r.parse.cpuMs),
      f1(r.parse.wallMs),
      "baseline"
    ],
    [`${r.mb} MB: McpHub.callTool`, "", f1(r.hub.cpuMs), f1(r.hub.wallMs), `${f3(r.hubRatio)} (goal ≤ 1.5×)`],
    [
      `${r.mb} MB: McpHub.callTool, validateOutput off`,
      "",
      f1(r.hubUnchecked.cpuMs),
      f1(r.hubUnchecked.wallMs),
      f3(r.hubUncheckedRatio)
    ],
    [`${r.mb} MB: raw SDK Client.callTool`, "", f1(r.raw.cpuMs), f1(r.raw.wallMs), f3(r.rawRatio)]
  ])
  console.table(
    rows.map(([what, bytes, cpu, wall, ratio]) => ({
      what,
      bytes,
      "cpu ms": cpu,
      "wall ms": wall,
      "cpu vs JSON.parse": ratio
    }))
  )
  lines.push(
    "## Large results",
    "",
    "Server: bench/servers/payload.ts `points`, a time series as structuredContent plus its JSON text",
    "copy (what a tool with an outputSchema sends), with an outputSchema; the hub validates it",
    "(default) or not, the raw SDK Client validates it (it listed the tools). Per size, rounds of",
    "one call per side in rotating order, beside `JSON.parse` of the same message bytes. The",
    "measure is this process's CPU time: receiving, framing, decoding and validating; the wall",
    "time also holds the server building and writing the payload in its own process.",
    "",
    "| measure | message | cpu ms | wall ms | cpu vs JSON.parse |",
    "|---|---|---|---|---|",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    ""
  )
}
// A partial run prints only: results.md always holds both parts from one run.
if (only === undefined) {
  const file = join(import.meta.dirname, "results.md")
  writeFileSync(file, lines.join("\n"))
  console.log(`wrote ${file}`)
}
