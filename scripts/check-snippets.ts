// Docs that compile: every ```ts block of README.md, docs/*.md and packages/*/README.md is written
// out as its own module under docs/.snippets/ and type-checked (strict, the repo's tsconfig.base.json)
// against the built packages, which docs/package.json depends on; blocks marked `run` are then run
// with Node. A snippet that drifts from the code fails `pnpm typecheck` (turbo runs this as the
// `typecheck` task of docs/); every ```json block must parse. Run by hand: `node scripts/check-snippets.ts [--no-run]` (after a build).
//
// Markers (skip, run, file=, hidden lines): see scripts/snippets.ts.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { extract, extractJson } from "./snippets.ts"

const root = join(import.meta.dirname, "..")
const outDir = join(root, "docs", ".snippets")
const noRun = process.argv.includes("--no-run")

interface Checked {
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

rmSync(outDir, { recursive: true, force: true })
const snippets: Array<Checked> = []
let skipped = 0
for (const page of pages) {
  const dir = join(outDir, page.replace(/\.md$/, "").replaceAll("/", "__"))
  for (const s of extract(join(root, page), page)) {
    if (s.skip) {
      skipped++
      continue
    }
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, s.name), s.code)
    snippets.push({ page, line: s.line, file: join(dir, s.name), run: s.run, preludeLines: s.preludeLines })
  }
}

// ```json blocks (client configs, servers.json) must at least be JSON.
let jsonBlocks = 0
const badJson: Array<string> = []
for (const page of pages) {
  for (const block of extractJson(join(root, page))) {
    jsonBlocks++
    try {
      JSON.parse(block.text)
    } catch (e) {
      badJson.push(`${page}:${block.line}: not JSON: ${(e as Error).message}`)
    }
  }
}
if (badJson.length > 0) {
  console.error(badJson.join("\n"))
  process.exit(1)
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
  `snippets: ${snippets.length} type-checked, ${ran} run, ${skipped} skipped, ${jsonBlocks} JSON blocks parsed (${pages.length} pages; ${relative(root, dirname(outDir))}/.snippets)`
)
