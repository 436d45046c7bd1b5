/**
 * bench/tokens.md from the token benchmark's rows: per task, the median task, the worst task (lowest saving)
 * and, when it is another, the task costing code mode the most
 * (not only the suite's total, which the largest task dominates), with two direct baselines side by
 * side — only the configured servers, and those plus the captured catalogs of many other servers.
 */
import { cpus } from "node:os"
import type { ToolCatalog } from "@tta/codegen"
import type { Fixture, TaskRow } from "./tokens.ts"

export interface SuiteResult {
  readonly title: string
  /** One sentence: which servers ran, on what data. */
  readonly setting: string
  readonly rows: ReadonlyArray<TaskRow>
  readonly catalog: { readonly live: ToolCatalog["servers"]; readonly extra: ReadonlyArray<Fixture> }
  /** The median code-mode task before issue 17's discovery work (session 1's run), when known. */
  readonly medianBefore?: number
}

export const pct = (from: number, to: number) => (from === 0 ? 0 : ((from - to) / from) * 100)
const n = (x: number) => Math.round(x).toLocaleString("en-US")
const p = (x: number) => `${x.toFixed(1)}%`

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The figures a README quotes: per-task savings vs direct with only the configured servers. */
export const summary = (rows: ReadonlyArray<TaskRow>) => {
  const saved = rows.map((r) => pct(r.directHere.total, r.codeMode.total))
  const worst = rows.reduce((w, r) =>
    pct(r.directHere.total, r.codeMode.total) < pct(w.directHere.total, w.codeMode.total) ? r : w
  )
  // The lowest saving and the most code-mode tokens need not be the same task; a README quotes both.
  const costliest = rows.reduce((c, r) => (r.codeMode.total > c.codeMode.total ? r : c))
  const total = (f: (r: TaskRow) => number) => rows.reduce((k, r) => k + f(r), 0)
  return {
    medianSaved: median(saved),
    medianSavedMany: median(rows.map((r) => pct(r.direct.total, r.codeMode.total))),
    medianSavedSearch: median(rows.map((r) => pct(r.toolSearch.total, r.codeMode.total))),
    medianCodeMode: median(rows.map((r) => r.codeMode.total)),
    worst: { name: worst.task.name, saved: pct(worst.directHere.total, worst.codeMode.total) },
    costliest: { name: costliest.task.name, tokens: costliest.codeMode.total },
    totalSaved: pct(
      total((r) => r.directHere.total),
      total((r) => r.codeMode.total)
    ),
    totalSavedMany: pct(
      total((r) => r.direct.total),
      total((r) => r.codeMode.total)
    )
  }
}

/** Issue 17's goal for the median task's code-mode tokens. */
const MEDIAN_GOAL = 800

const suite = (s: SuiteResult): Array<string> => {
  const { rows, catalog } = s
  const sum = (f: (r: TaskRow) => number) => rows.reduce((k, r) => k + f(r), 0)
  const mid = (f: (r: TaskRow) => number) => median(rows.map(f))
  const liveTools = catalog.live.reduce((k, x) => k + x.tools.length, 0)
  const extraTools = catalog.extra.reduce((k, x) => k + x.tools.length, 0)
  const sm = summary(rows)
  const worstRow = rows.find((r) => r.task.name === sm.worst.name)!
  const line = (r: TaskRow) =>
    `| ${r.task.name}${r.checked ? " ✓" : ""} | ${r.calls} | ${n(r.directHere.total)} | ${n(r.direct.total)} | ${n(r.toolSearch.total)} | ${n(r.codeMode.total)} | ${p(pct(r.directHere.total, r.codeMode.total))} | ${p(pct(r.direct.total, r.codeMode.total))} | ${p(pct(r.toolSearch.total, r.codeMode.total))} |`
  return [
    `## ${s.title}`,
    "",
    s.setting,
    `Direct, these servers: the ${liveTools} tools of the ${catalog.live.length} configured servers (${n(rows[0]?.directHere.definitions ?? 0)} tokens of definitions). Direct, many servers: those plus ${extraTools} tools of ${catalog.extra.length} other widely used servers captured from their real \`tools/list\` (${n(rows[0]?.direct.definitions ?? 0)} tokens).`,
    "",
    "| task | calls | direct, these servers | direct, many servers | tool search | code mode | saved vs direct, these servers | saved vs direct, many servers | saved vs tool search |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(line),
    `| **median task** |  | ${n(mid((r) => r.directHere.total))} | ${n(mid((r) => r.direct.total))} | ${n(mid((r) => r.toolSearch.total))} | ${n(mid((r) => r.codeMode.total))} | **${p(sm.medianSaved)}** | **${p(sm.medianSavedMany)}** | **${p(sm.medianSavedSearch)}** |`,
    `| **worst task**: ${line(worstRow).slice(2)}`,
    ...(sm.costliest.name === sm.worst.name
      ? []
      : [
          `| **most code-mode tokens**: ${line(rows.find((r) => r.task.name === sm.costliest.name)!).slice(2)}`
        ]),
    `| total | ${sum((r) => r.calls)} | ${n(sum((r) => r.directHere.total))} | ${n(sum((r) => r.direct.total))} | ${n(sum((r) => r.toolSearch.total))} | ${n(sum((r) => r.codeMode.total))} | ${p(sm.totalSaved)} | ${p(sm.totalSavedMany)} | ${p(
      pct(
        sum((r) => r.toolSearch.total),
        sum((r) => r.codeMode.total)
      )
    )} |`,
    "",
    `Goal (issue 17): median code-mode tokens per task ≤ ${MEDIAN_GOAL} — ${n(sm.medianCodeMode)}, ${sm.medianCodeMode <= MEDIAN_GOAL ? "met" : "not met"}${s.medianBefore === undefined ? "" : ` (before signature discovery and the trimmed gateway definitions: ${n(s.medianBefore)})`}.`,
    "",
    "Median columns are the median of each column (and of the per-task savings), not the saving of the medians. ✓: the answer was also computed from the source of truth (SQL through psql, the git command line, redis-cli, the file on disk) and matched.",
    "",
    "| task | direct: definitions (these / many) / calls / results | tool search: definitions (tools loaded) | code mode: definitions / discovery / execute call / returned |",
    "|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.task.name} | ${n(r.directHere.definitions)} / ${n(r.direct.definitions)} / ${n(r.direct.calls)} / ${n(r.direct.results)} | ${n(r.toolSearch.definitions)} (${r.searched}${r.missedBySearch.length ? `, ${r.missedBySearch.length} missed by the search` : ""}) | ${n(r.codeMode.definitions)} / ${n(r.codeMode.read)} / ${n(r.codeMode.code)} / ${n(r.codeMode.returned)} |`
    ),
    "",
    ...rows.map(
      (r) =>
        `- **${r.task.name}** (${r.task.kind}): ${r.task.question} Answer: \`${JSON.stringify(r.answer).slice(0, 160)}\``
    ),
    ""
  ]
}

export const markdown = (
  suites: ReadonlyArray<SuiteResult>,
  ms: number,
  skipped: ReadonlyArray<string> = []
) => {
  const extra = suites[0]?.catalog.extra ?? []
  return [
    "# Token benchmark: direct vs tool search vs code mode",
    "",
    `Measured by \`pnpm bench:tokens\` (\`node apps/demo/bench/tokens.ts\`) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.versions.node}, in ${(ms / 1000).toFixed(1)} s.`,
    "Every task ran three ways on real servers over stdio and all three gave the same answer.",
    "Tokens counted with gpt-tokenizer (o200k_base) from the run's real tool definitions, calls and results.",
    ...skipped.map((s) => `\n**Skipped:** ${s}`),
    "",
    ...suites.flatMap(suite),
    "## How it is counted",
    "",
    '- **Direct**: tool definitions as a model API receives them (`{ name: "server__tool", description, input_schema }`), counted once per task; every call as a `tool_use`; every full result as the text the server sent (where a server also sends `structuredContent`, only its text copy). An agent loop re-sends the definitions on every turn; counting them once per task understates direct. Two baselines: only the configured servers, and those plus the captured catalogs (a person with many servers configured).',
    "- **Tool search**: the same calls and results, but only the definitions a BM25 search over the many-servers catalog surfaced (top 3 per query, one query per tool needed; a needed tool the search missed is loaded anyway) plus the search tool's own definition. The search calls and their answers are not counted (in its favour).",
    "- **Code mode**: the gateway's 5 tool definitions; discovery — one `search_tools` call per tool needed (`detail: \"signature\"`, `limit: 1`) as the model emits it plus the answer the gateway sends (the call as one line of TypeScript with its output type), a `read_api` of the tool's file when that line names a type instead of writing it out, and, where the program parses data whose format neither the question nor the types show (a CSV, a log line, a text result), a probe `execute` looking at a sample first; the `execute` call with the program; and execute's answer text (value, console output, call summary). Calls and results of downstream tools stay in the sandbox.",
    "- Each way's answer is compared with the direct answer (deep equality), code mode must make the same number of calls, and third-party answers must match the source of truth; the run fails otherwise.",
    "",
    "## Captured catalogs counted in direct, many servers",
    "",
    "| server | package | version | tools |",
    "|---|---|---|---:|",
    ...extra.map((f) => `| ${f.name} | \`${f.package}\` | ${f.version} | ${f.tools.length} |`),
    ""
  ].join("\n")
}
