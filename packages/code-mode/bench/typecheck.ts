// Cost of type-checking agent code before it runs, against the API tree generated from real
// catalogs (everything, filesystem, memory and 21 other captured servers), beside running the same
// code in the isolate sandbox. Run: node --conditions=@tta/source bench/typecheck.ts
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { generateSync } from "@tta/codegen"
import { Sandbox } from "@tta/sandbox"
import { Effect } from "effect"
import { TypeCheck } from "../src/index.ts"

const catalogDir = join(import.meta.dirname, "../../../apps/demo/fixtures/catalogs")
const servers = readdirSync(catalogDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => {
    const c = JSON.parse(readFileSync(join(catalogDir, f), "utf8")) as { tools: Array<never> }
    return { name: f.replace(/\.json$/, ""), tools: c.tools }
  })
const tree = generateSync({ servers })
const toolCount = servers.reduce((n, s) => n + s.tools.length, 0)

const code = (i: number) => `import { listDirectory, readTextFile } from "./servers/filesystem/index.ts"
import { readGraph } from "./servers/memory/index.ts"
const [listing, graph] = await Promise.all([listDirectory({ path: "/data" }), readGraph()])
const text = await readTextFile({ path: "/data/a.txt", head: ${i % 10} })
export default { files: String(listing).split("\\n").length, entities: graph.entities.length, text }`

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const time = (f: () => void) => {
  const t = performance.now()
  f()
  return performance.now() - t
}

const checker = TypeCheck.make()
const cold = time(() => {
  checker.setFiles(tree)
  if (checker.check(code(0)).length > 0) throw new Error("bench code must type-check")
})
const warm: Array<number> = []
for (let i = 1; i <= 50; i++) warm.push(time(() => checker.check(code(i))))
const treeChange: Array<number> = []
for (let i = 0; i < 5; i++) {
  const changed = {
    ...tree,
    "servers/filesystem/index.ts": `${tree["servers/filesystem/index.ts"]}\n// ${i}`
  }
  treeChange.push(
    time(() => {
      checker.setFiles(changed)
      checker.check(code(i))
    })
  )
}

// The same code run in the isolate, with host calls answering at once: what the check is added to.
const host = {
  callTool: (_server: unknown, tool: unknown) =>
    Effect.succeed(tool === "read_graph" ? { entities: [], relations: [] } : { content: "a\nb" })
}
const runs: Array<number> = []
await Effect.runPromise(
  Effect.gen(function* () {
    const sandbox = yield* Sandbox
    for (let i = 0; i < 30; i++) {
      const t = performance.now()
      yield* sandbox.execute({ code: code(i), files: tree, host })
      runs.push(performance.now() - t)
    }
  }).pipe(Effect.provide(Sandbox.isolate))
)

const rows = [
  [`first check (tree of ${toolCount} tools, ${Object.keys(tree).length} files)`, cold],
  ["check, tree unchanged (p50 of 50)", median(warm)],
  ["check after a tree change (p50 of 5)", median(treeChange)],
  ["isolate execution of the same code (p50 of 30)", median(runs)]
] as const
const table = [
  "| measure | ms |",
  "|---|---:|",
  ...rows.map(([label, ms]) => `| ${label} | ${ms.toFixed(1)} |`)
].join("\n")
const ratio = median(warm) / median(runs)
const text = `# @tta/code-mode bench: type-check before run

Measured with \`node --conditions=@tta/source bench/typecheck.ts\` (TypeScript 5.9 LanguageService,
kept warm across executions) on ${new Date().toISOString().slice(0, 10)}, 2-core machine.

${table}

A warm check costs ${ratio.toFixed(1)}× the sandboxed run of the same code (host calls answered at once, so
real tool latency would dwarf both).
`
writeFileSync(join(import.meta.dirname, "results.md"), text)
console.log(text)
