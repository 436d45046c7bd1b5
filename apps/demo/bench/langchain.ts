/**
 * @tta/core vs LangChain.js (`@langchain/core` Runnables) on the workloads of comparison.ts, in one
 * process: every round times each workload on both sides one after the other (alternating which
 * goes first), and each figure is the median over rounds of tinybench's median latency per run.
 * Prints a table and writes bench/results.md here; the root `pnpm bench` includes it.
 * Run: `node --conditions=@tta/source apps/demo/bench/langchain.ts`. BENCH_ROUNDS / BENCH_TIME_MS tune the
 * run; BENCH_STOCK_RETRY=0 skips the one timed run of the stock `withRetry` (it sleeps 3–6 s).
 */
import { deepStrictEqual } from "node:assert"
import { readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import { Bench } from "tinybench"
import { allComparisons, type Comparison, stockRetry } from "./comparison.ts"

// LangChain at its defaults: no LangSmith tracing (it would add network calls, not library overhead).
for (const name of ["LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING", "LANGCHAIN_TRACING_V2"])
  delete process.env[name]

const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const time = Number(process.env.BENCH_TIME_MS ?? 300)
const goal = 5
const sides = ["core", "langchain"] as const
type Side = (typeof sides)[number]

const comparisons = allComparisons()

// Both sides must do the same work: check the outputs before timing anything.
for (const c of comparisons) {
  deepStrictEqual(await c.core(c.input), c.expected, `${c.id} @tta/core`)
  deepStrictEqual(c.normalize(await c.langchain(c.input)), c.expected, `${c.id} LangChain`)
}

const samples = new Map<string, Array<number>>()
for (let round = 0; round < rounds; round++) {
  const bench = new Bench({ time, warmupTime: 100 })
  for (const c of comparisons) {
    const order = round % 2 === 0 ? sides : ([...sides].reverse() as ReadonlyArray<Side>)
    for (const side of order) bench.add(`${c.id}/${side}`, () => c[side](c.input))
  }
  await bench.run()
  for (const task of bench.tasks) {
    const result = task.result
    if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`)
    const list = samples.get(task.name) ?? []
    list.push(result.latency.p50 * 1000)
    samples.set(task.name, list)
  }
  process.stdout.write(`round ${round + 1}/${rounds} done\n`)
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const micros = (c: Comparison, side: Side) => median(samples.get(`${c.id}/${side}`)!)
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))

const rows = comparisons.map((c) => {
  const core = micros(c, "core")
  const langchain = micros(c, "langchain")
  return { c, core, langchain, ratio: langchain / core }
})

// One timed run of the stock withRetry, outside the rounds: its backoff is sleep, not overhead.
let stockSeconds: number | undefined
if (process.env.BENCH_STOCK_RETRY !== "0") {
  const run = stockRetry(3)
  const started = performance.now()
  deepStrictEqual(await run(0), 3, "stock withRetry")
  stockSeconds = (performance.now() - started) / 1000
}

const table = [
  "| workload | @tta/core (µs) | LangChain.js (µs) | ratio (LangChain / core) |",
  "|---|---:|---:|---:|",
  ...rows.map((r) => `| ${r.c.title} | ${fmt(r.core)} | ${fmt(r.langchain)} | ${r.ratio.toFixed(1)}× |`)
].join("\n")

const minRatio = Math.min(...rows.map((r) => r.ratio))
const slowest = rows.find((r) => r.ratio === minRatio)!
const versionOf = (pkg: string) =>
  (
    JSON.parse(readFileSync(new URL(import.meta.resolve(`${pkg}/package.json`)), "utf8")) as {
      version: string
    }
  ).version
const cpu = os.cpus()[0]?.model ?? "unknown CPU"

const report = `# @tta/core vs LangChain.js

Median of ${rounds} rounds (tinybench, ${time} ms per task per round, alternating which side goes first);
each figure is the round's median latency of one run: \`Effect.runPromise(workflow.run(input))\` for
@tta/core, \`runnable.invoke(input)\` for LangChain.js. Measured ${new Date().toISOString().slice(0, 10)} on ${cpu}
(${os.cpus().length} cores), Node ${process.version}, @langchain/core ${versionOf("@langchain/core")}, effect ${versionOf("effect")},
while other work may have been running on the machine: compare the ratios, not the absolute times.

${table}

Goal ≥ ${goal}× faster than LangChain.js: ${minRatio >= goal ? "met" : "not met"} (lowest ratio ${minRatio.toFixed(1)}×, ${slowest.c.title}).

- **Same work on both sides** (checked before timing, and by apps/demo/test/langchain-parity.test.ts):
  - *100-step sequence*: core's \`sequenceWorkload\` (\`sequence\` of 100 steps n → n + 1) vs a
    \`RunnableSequence\` of 100 \`RunnableLambda\`s doing n + 1.
  - *100-wide parallel*: core's \`parallelWorkload\` (branch i gives n + i) vs \`RunnableParallel\` with 100
    \`RunnableLambda\` branches (LangChain returns an object keyed by branch, core an array).
  - *retry*: a step that throws an \`Error\` twice and succeeds on attempt 3; core
    \`retry({ times: 2 })\` vs \`withRetry({ stopAfterAttempt: 3 })\`, both with no delay between attempts.
  - *fallback*: the primary throws an \`Error\`, the alternative doubles the input; core
    \`fallback(primary, alternative)\` vs \`primary.withFallbacks([alternative])\`.
  - The steps do nothing, so the figures are what each library adds around a step. The failing steps
    throw an \`Error\` built once up front: a fresh \`new Error\` per failure would add its stack capture
    (~2 µs here) to both sides alike.
- **Retry without delay**: core's \`retry\` only waits when given \`backoff\` or \`schedule\`, so it retries at
  once. LangChain's \`withRetry\` cannot: \`RunnableRetry\` runs its attempts through its bundled p-retry with
  p-retry's default backoff (1 s minimum, ×2 per retry, randomised ×1–2), and \`withRetry\` exposes only
  \`stopAfterAttempt\` and \`onFailedAttempt\`. The LangChain side is therefore \`NoDelayRetry\`
  (comparison.ts): RunnableRetry with its \`_invoke\` replaced by the same attempt loop minus the sleep
  (same attempts, same \`onFailedAttempt\`, each attempt a child run tagged \`retry:attempt:N\`).${
    stockSeconds === undefined
      ? ""
      : `\n  For scale, one run of the stock \`withRetry\` on the same step took ${stockSeconds.toFixed(2)} s here, all of it sleep.`
  }
- Both sides at their defaults: @tta/core updates its metrics on every primitive run and, with no
  tracer installed (Effect's built-in tracer, which exports nothing), opens no spans; with a tracer
  it opens a \`tta.<kind>\` span per run (see packages/core/bench). LangChain runs its callback manager for
  every runnable (run ids, config propagation) with LangSmith tracing off. The cache-hit workload of
  core's bench has no LangChain Runnable counterpart and is not compared.

Run: \`pnpm bench\` at the root (all packages, then this), or
\`node --conditions=@tta/source apps/demo/bench/langchain.ts\` for this comparison alone.
`

console.log(`\n${table}\n`)
if (stockSeconds !== undefined)
  console.log(`stock withRetry (with its backoff): ${stockSeconds.toFixed(2)} s per run`)
writeFileSync(new URL("./results.md", import.meta.url), report)
console.log("wrote apps/demo/bench/results.md")
