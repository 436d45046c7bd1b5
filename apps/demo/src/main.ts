/**
 * `pnpm demo` — incident triage with TTA primitives and code mode on real MCP servers. Its flags are
 * in `help` below (`pnpm demo --help`).
 */
import { join } from "node:path"
import { CodeMode } from "@tta/code-mode"
import { Store } from "@tta/durable"
import { Observability, TokenAccount } from "@tta/observability"
import { Effect, Layer } from "effect"
import { crashDemo } from "./CrashPrint.ts"
import { type DemoResult, runDemo, type StepEvent, table } from "./Demo.ts"
import { type AgentRun, runAgent, triageTask } from "./Llm.ts"
import { relaunchForIsolates } from "./NodeFlags.ts"
import { Progress } from "./Progress.ts"
import { runnersDemo } from "./runners/RunnersPrint.ts"
import { makeDirs } from "./Servers.ts"
import * as Stack from "./Stack.ts"

relaunchForIsolates()

// A lone `--` (as in `pnpm demo -- --json`) only separates the runner's arguments from ours.
const args = process.argv.slice(2).filter((a) => a !== "--")
const json = args.includes("--json")
const llm = args.includes("--llm")
const dirArg = args.indexOf("--dir")
const runnersArg = args.indexOf("--runners")
const runnerCount = runnersArg >= 0 ? Number(args[runnersArg + 1]) : 0
const usage =
  "usage: node apps/demo/src/main.ts [--json] [--llm] [--fail] [--crash] [--in-memory] [--runners N] [--dir <path>]"
const help = `${usage}

  --json        one JSON document on stdout instead of the text output
  --llm         the same task done by a real model through the gateway's tools (needs ANTHROPIC_API_KEY)
  --fail        make the second run's page step fail, to watch the saga compensate
  --crash       kill the worker running a durable triage mid-run, start another that resumes from the
                journal, and approve its paging step with \`tta workflows approve\`
  --in-memory   run the triage without the journal (as @tta/core's \`run\` does)
  --runners N   a throwaway PostgreSQL and N (2 to 8) runner processes; triages spread over them, one
                runner is killed mid-run and the others finish its work
  --dir <path>  keep the run's files (reports, memory graph, skills, HTML report) here instead of a
                temp dir
  --help, -h    this text`
if (args.includes("--help") || args.includes("-h")) {
  console.log(help)
  process.exit(0)
}
const known = new Set(["--json", "--llm", "--fail", "--crash", "--in-memory", "--dir", "--runners"])
const unknown = args.filter((a, i) => !known.has(a) && args[i - 1] !== "--dir" && args[i - 1] !== "--runners")
if (
  unknown.length > 0 ||
  (dirArg >= 0 && !args[dirArg + 1]) ||
  (runnersArg >= 0 && !(Number.isInteger(runnerCount) && runnerCount >= 2 && runnerCount <= 8))
) {
  console.error(usage)
  if (unknown.length > 0) console.error(`unknown argument: ${unknown.join(" ")}`)
  process.exit(2)
}
if (llm && !process.env.ANTHROPIC_API_KEY) {
  console.error("--llm needs ANTHROPIC_API_KEY (and optionally ANTHROPIC_BASE_URL, ANTHROPIC_MODEL).")
  process.exit(1)
}
const dirs = makeDirs(dirArg >= 0 ? args[dirArg + 1] : undefined)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const mark = { ok: "✓", failed: "✗", compensated: "↺", info: "·" } as const
const printEvent = (e: StepEvent) => {
  if (json) return
  const calls = e.toolCalls > 0 ? `${e.toolCalls} call${e.toolCalls === 1 ? "" : "s"}` : ""
  const ms = e.durationMs > 0 ? `${Math.round(e.durationMs)} ms` : ""
  console.log(`  ${mark[e.status]} ${pad(e.step, 24)} ${pad(calls, 9)} ${pad(ms, 8)} ${e.detail}`)
}

const services = Layer.mergeAll(Stack.layer(dirs), Observability.memory("tta-demo"))

const printDemo = (r: DemoResult) => {
  for (const run of r.runs) {
    if (!run.ok)
      console.log(
        `\n${run.runId} failed: ${run.error}\ncompensated: ${run.compensated.join(", ") || "nothing"}`
      )
  }
  console.log("\n## Runs\n")
  console.log(table(r.runs))
  const [first, second] = r.runs
  if (first && second && first.ok && second.ok) {
    console.log(
      `\nSecond run: ${(first.ms / second.ms).toFixed(1)}× faster (${Math.round(first.ms)} → ${Math.round(second.ms)} ms) and ` +
        `${Math.round((1 - second.tokens.codeMode.total / first.tokens.codeMode.total) * 100)}% fewer code-mode tokens ` +
        `(${first.tokens.codeMode.total.toLocaleString("en-US")} → ${second.tokens.codeMode.total.toLocaleString("en-US")}): ` +
        "it reuses the saved skill (no API discovery, a 3-line program instead of the whole scan) and the cached runbook " +
        "(no docs calls). Servers are warm in both runs; run 1 also pays the type checker's first load."
    )
  }
  const res = r.runs.find((x) => x.result)?.result
  if (res) {
    console.log(
      `\nCritical: ${res.critical.join(", ") || "none"} · warning: ${res.warning.join(", ") || "none"} · resolved: ${res.resolved.join(", ") || "none"}`
    )
  }
  console.log(
    `Circuit breaker: ${r.breaker}. Servers up in ${Math.round(r.serversUpMs)} ms: ${r.servers.map((s) => `${s.name} (${s.tools})`).join(", ")}.`
  )
  console.log("\n## Workflow\n\n```mermaid")
  console.log(r.mermaid)
  console.log("```\n")
  console.log(`Reports: ${join(dirs.files, "reports")}`)
  console.log(`Memory graph: ${dirs.memoryFile}`)
  console.log(`Skills: ${join(dirs.session, "skills")}`)
  console.log(`HTML run report: ${r.reportPath}`)
  if (!args.includes("--in-memory"))
    console.log(`Workflow journal: ${join(dirs.root, "durable.db")} (tta workflows ls --store <it>)`)
}

const demo = Effect.gen(function* () {
  if (!json) {
    console.log("# TTA demo: incident triage on real MCP servers\n")
    console.log("Starting metrics, docs, filesystem, memory and everything over stdio…")
  }
  let current = ""
  const progress = Layer.succeed(Progress, {
    emit: (e: StepEvent) =>
      Effect.sync(() => {
        if (!json && e.run !== current) {
          current = e.run
          console.log(`\n${e.run}`)
        }
        printEvent(e)
      })
  })
  const result = yield* runDemo({
    dirs,
    runs: 2,
    failRun: args.includes("--fail") ? 2 : undefined,
    // Every step journaled on the embedded store (no server): a crashed run would resume.
    durable: args.includes("--in-memory")
      ? undefined
      : { store: Store.embedded({ path: join(dirs.root, "durable.db") }) }
  }).pipe(Effect.provide(progress))
  if (json) console.log(JSON.stringify(result, null, 2))
  else printDemo(result)
  return result.runs.every((r) => r.ok) || args.includes("--fail")
})

const agent = Effect.gen(function* () {
  const apiKey = process.env.ANTHROPIC_API_KEY ?? ""
  if (!json)
    console.log(
      "# TTA demo --llm: a real model triages through code mode's tools (@tta/code-mode/anthropic)\n"
    )
  const run: AgentRun = yield* runAgent(triageTask(join(dirs.files, "reports")), {
    apiKey,
    onTurn: (t) => {
      if (json) return
      if (t.text) console.log(`\n[turn ${t.index}] ${t.text}`)
      for (const u of t.toolUses)
        console.log(
          `  ${u.isError ? "✗" : "✓"} ${u.name} ${Math.round(u.durationMs)} ms  ${u.preview.replace(/\s+/g, " ").slice(0, 100)}`
        )
    }
  })
  const tokens = yield* CodeMode.CodeMode.use((c) => c.tokenAccount())
  if (json) console.log(JSON.stringify({ dirs, run, tokens }, null, 2))
  else {
    console.log(`\n${run.text}\n`)
    console.log(
      `${run.turns.length} turns; API usage ${run.usage.inputTokens} in / ${run.usage.outputTokens} out (the model's tokenizer).`
    )
    console.log(TokenAccount.table([{ label: "llm run", figures: tokens }]))
  }
  return true
})

if (args.includes("--crash")) process.exit((await crashDemo(dirs, json)) ? 0 : 1)
if (runnersArg >= 0) process.exit((await runnersDemo(dirs, runnerCount, json)) ? 0 : 1)

const program: Effect.Effect<boolean, unknown, Layer.Success<typeof services>> = llm ? agent : demo
const ok = await Effect.runPromise(
  program.pipe(
    Effect.provide(services),
    Effect.catch((e: unknown) =>
      Effect.sync(() => {
        console.error(`demo failed: ${e instanceof Error ? e.message : JSON.stringify(e)}`)
        return false
      })
    )
  )
)
process.exit(ok ? 0 : 1)
