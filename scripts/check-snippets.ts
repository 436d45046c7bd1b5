// Docs that compile: every ```ts block of README.md, docs/*.md and packages/*/README.md is written
// out as its own module under docs/.snippets/ and type-checked (strict, the repo's tsconfig.base.json)
// against the built packages, which docs/package.json depends on; blocks marked `run` are then run
// with Node. A snippet that drifts from the code fails `pnpm typecheck` (turbo runs this as the
// `typecheck` task of docs/). Run by hand: `node scripts/check-snippets.ts [--no-run]` (after a build).
//
// A block can be preceded by one HTML comment, invisible on GitHub:
//   <!-- snippet: skip -->                a fragment that is not a module (say why in the text)
//   <!-- snippet: run, file=hedge.ts      options: `run` (needs no network: run it), `file=` (its name,
//   const api = { ... }                   so a later block of the same page can import it);
//   -->                                   lines after the first are hidden code put before the block
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"

const root = join(import.meta.dirname, "..")
const outDir = join(root, "docs", ".snippets")
const noRun = process.argv.includes("--no-run")

interface Snippet {
  readonly page: string
  readonly line: number
  readonly file: string
  readonly run: boolean
  readonly preludeLines: number
}

const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(root, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(root, f)))
]

const fence = /^```(ts|typescript)\s*$/
const marker = /^<!--\s*snippet:\s*([^\n]*?)\s*(-->)?$/

// The HTML comment that ends on the line before `index`, if it is a snippet marker.
const markerBefore = (lines: ReadonlyArray<string>, index: number) => {
  if (index === 0 || lines[index - 1]!.trim() !== "-->") {
    const single = index > 0 ? marker.exec(lines[index - 1]!.trim()) : null
    return single?.[2] ? { options: single[1]!, prelude: [] as Array<string> } : undefined
  }
  for (let i = index - 2; i >= 0; i--) {
    const open = marker.exec(lines[i]!.trim())
    if (open) return { options: open[1]!, prelude: lines.slice(i + 1, index - 1) }
    if (lines[i]!.startsWith("```")) return undefined
  }
  return undefined
}

rmSync(outDir, { recursive: true, force: true })
const snippets: Array<Snippet> = []
let skipped = 0
for (const page of pages) {
  const lines = readFileSync(join(root, page), "utf8").split("\n")
  const dir = join(outDir, page.replace(/\.md$/, "").replaceAll("/", "__"))
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i]!)) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"))
    if (end === -1) throw new Error(`${page}:${i + 1}: unclosed code block`)
    const mark = markerBefore(lines, i)
    const options = (mark?.options ?? "").split(",").map((o) => o.trim())
    const body = lines.slice(i + 1, end)
    i = end
    if (options.includes("skip")) {
      skipped++
      continue
    }
    const name = options.find((o) => o.startsWith("file="))?.slice(5) ?? `line-${i + 1 - body.length}.ts`
    const prelude = mark?.prelude ?? []
    const code = [...prelude, ...body].join("\n")
    // Every snippet is a module of its own, even one without an import.
    const module = /^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {}`
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, name), `${module}\n`)
    snippets.push({
      page,
      line: i + 2 - body.length,
      file: join(dir, name),
      run: options.includes("run"),
      preludeLines: prelude.length
    })
  }
}

writeFileSync(
  join(outDir, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        rewriteRelativeImportExtensions: false
      },
      include: ["**/*.ts"]
    },
    null,
    2
  )
)

// tsc reports generated paths; point each error at the page and line a reader would fix.
const toPage = (output: string) =>
  output.replace(/([^\s(]+\.ts)\((\d+),(\d+)\)/g, (match, file: string, line: string, col: string) => {
    const s = snippets.find((x) => x.file.endsWith(file) || relative(outDir, x.file) === file)
    if (s === undefined) return match
    const at = Number(line) - s.preludeLines
    return at > 0
      ? `${s.page}:${s.line + at - 1}:${col}`
      : `${s.page}:${s.line - 1} (hidden prelude line ${line})`
  })

const tsc = join(root, "docs", "node_modules", ".bin", "tsc")
const checked = spawnSync(tsc, ["-p", join(outDir, "tsconfig.json")], { cwd: outDir, encoding: "utf8" })
if (checked.status !== 0) {
  console.error(toPage(`${checked.stdout}${checked.stderr}`))
  console.error(`snippets: type errors (${snippets.length} checked)`)
  process.exit(1)
}

let ran = 0
const failures: Array<string> = []
if (!noRun) {
  for (const s of snippets.filter((x) => x.run)) {
    // Each run in a fresh directory: snippets may write files (.tta/, reports).
    const cwd = mkdtempSync(join(tmpdir(), "tta-snippet-"))
    const result = spawnSync(process.execPath, [s.file], { cwd, encoding: "utf8", timeout: 60_000 })
    rmSync(cwd, { recursive: true, force: true })
    ran++
    if (result.status !== 0) {
      failures.push(
        `${s.page}:${s.line}: exit ${result.status ?? result.signal}\n${result.stdout}${result.stderr}`
      )
    }
  }
}
if (failures.length > 0) {
  console.error(failures.join("\n"))
  process.exit(1)
}
console.log(
  `snippets: ${snippets.length} type-checked, ${ran} run, ${skipped} skipped (${pages.length} pages; ${relative(root, dirname(outDir))}/.snippets)`
)
