// pnpm bench: tree generation for a 1,000-tool catalog vs json-schema-to-typescript, and
// searchTools latency vs a linear substring scan, measured in the same run. Writes bench/results.md.
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { compile } from "json-schema-to-typescript"
import type { Tool } from "../src/Catalog.ts"
import { buildIndexSync, searchTools } from "../src/Search.ts"
import { generateSync } from "../src/Tree.ts"
import { quantile, time } from "./measure.ts"
import { section as searchSection } from "./search.ts"
import { syntheticCatalog } from "./synthetic.ts"

const ms = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3))

const catalog = syntheticCatalog(1000)
const tools: ReadonlyArray<Tool> = catalog.servers.flatMap((s) => s.tools)

// Tree generation: the first (cold) run, then the median of warm runs.
const cold = time(() => generateSync(catalog))
const warm: Array<number> = []
let files = 0
let bytes = 0
for (let i = 0; i < 15; i++)
  warm.push(
    time(() => {
      const tree = generateSync(catalog)
      files = Object.keys(tree).length
      bytes = Object.values(tree).reduce((n, s) => n + s.length, 0)
    })
  )

// Baseline: json-schema-to-typescript on the same input schemas (formatting and external refs off).
const jsttOptions = {
  bannerComment: "",
  format: false,
  declareExternallyReferenced: true,
  $refOptions: { resolve: { external: false, file: false, http: false } }
} as const
const jsttRun = async () => {
  const t = performance.now()
  for (const tool of tools) await compile(structuredClone(tool.inputSchema) as never, "Input", jsttOptions)
  return performance.now() - t
}
const jsttCold = await jsttRun()
const jstt: Array<number> = []
for (let i = 0; i < 3; i++) jstt.push(await jsttRun())

// Search: index build, then each query many times.
const queries = [
  "create issue",
  "list directory",
  "send message",
  "screenshot",
  "sql query",
  "search pages",
  "pull request review",
  "upload file",
  "navigate",
  "merge",
  "delete",
  "owner repo",
  "clik",
  "calendar event",
  "billing file contents",
  "comment",
  "user",
  "payments search",
  "logs error",
  "deploy branch"
]
const indexBuild = time(() => buildIndexSync(catalog))
const index = buildIndexSync(catalog)
const searchRuns = (detail: "name" | "description" | "full") => {
  const samples: Array<number> = []
  for (let round = 0; round < 50; round++)
    for (const q of queries) samples.push(time(() => searchTools(index, q, { detail, limit: 10 })))
  return samples
}
searchRuns("name")
const byName = searchRuns("name")
const byDescription = searchRuns("description")
const fresh = buildIndexSync(catalog)
const firstFull = queries.map((q) => time(() => searchTools(fresh, q, { detail: "full", limit: 10 })))
searchRuns("full")
const byFull = searchRuns("full")
for (const q of queries)
  if (searchTools(index, q).length === 0) throw new Error(`bench query ${JSON.stringify(q)} found nothing`)

// Baseline: a linear scan counting query words found in name + description.
const haystacks = tools.map((t) => `${t.name} ${t.description ?? ""}`.toLowerCase())
const scanRuns: Array<number> = []
for (let round = 0; round < 50; round++)
  for (const q of queries)
    scanRuns.push(
      time(() => {
        const words = q.toLowerCase().split(/\s+/)
        haystacks
          .map((h, i) => ({ i, n: words.filter((w) => h.includes(w)).length }))
          .filter((x) => x.n > 0)
          .sort((a, b) => b.n - a.n || a.i - b.i)
          .slice(0, 10)
      })
    )

const genP50 = quantile(warm, 0.5)
const jsttP50 = quantile(jstt, 0.5)
const scanP50 = quantile(scanRuns, 0.5)
const rows: Array<[string, string, string, string]> = [
  ["generate tree, 1,000 tools (cold, first run)", `${ms(cold)} ms`, "≤ 300 ms", ""],
  [
    "generate tree, 1,000 tools (warm, median of 15)",
    `${ms(genP50)} ms`,
    "≤ 300 ms",
    `${(jsttP50 / genP50).toFixed(1)}× faster than baseline`
  ],
  [
    "baseline: json-schema-to-typescript, inputs only (warm, median of 3)",
    `${ms(jsttP50)} ms`,
    "",
    `cold ${ms(jsttCold)} ms`
  ],
  ["search index build, 1,000 tools", `${ms(indexBuild)} ms`, "", ""],
  [
    "searchTools detail=name, p50 / p95",
    `${ms(quantile(byName, 0.5))} / ${ms(quantile(byName, 0.95))} ms`,
    "p50 ≤ 1 ms",
    `${(quantile(byName, 0.5) / scanP50).toFixed(2)}× the scan's p50`
  ],
  [
    "searchTools detail=description, p50 / p95",
    `${ms(quantile(byDescription, 0.5))} / ${ms(quantile(byDescription, 0.95))} ms`,
    "p50 ≤ 1 ms",
    ""
  ],
  [
    "searchTools detail=full (sources cached), p50 / p95",
    `${ms(quantile(byFull, 0.5))} / ${ms(quantile(byFull, 0.95))} ms`,
    "p50 ≤ 1 ms",
    ""
  ],
  ["searchTools detail=full, first render (fresh index), p50", `${ms(quantile(firstFull, 0.5))} ms`, "", ""],
  [
    "baseline: linear substring scan, p50 / p95",
    `${ms(scanP50)} / ${ms(quantile(scanRuns, 0.95))} ms`,
    "",
    "unranked by relevance"
  ]
]

const table = [
  "| measure | result | goal | vs baseline |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`)
].join("\n")
const md = `# @tta/codegen benchmark

Synthetic catalog: ${tools.length} tools on ${catalog.servers.length} servers, every one a real-world
schema from test/fixtures under a new name; the tree has ${files} files, ${(bytes / 1024).toFixed(0)} KiB.
${queries.length} queries × 50 rounds per search row, limit 10. Node ${process.version}, ${process.platform}/${process.arch},
run with \`pnpm bench\` in packages/codegen (2-core machine, other work running).

${table}

${searchSection()}`
writeFileSync(join(import.meta.dirname, "results.md"), md)
console.log(md)
