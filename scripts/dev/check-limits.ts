// Issue 18's size goals over every packages/*/src/**/*.ts and apps/*/src/**/*.ts: files over 400
// lines, functions or closures over 150 lines, and relative-import cycles. Run after an install:
// `node scripts/dev/check-limits.ts` (Node 24); exits 1 on a finding.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative, resolve } from "node:path"

const root = join(import.meta.dirname, "..", "..")
// TypeScript 7 has no JS API; the 5.9 one code-mode installs for its checker parses here.
const ts = createRequire(join(root, "packages/code-mode/package.json"))(
  "typescript-api"
) as typeof import("typescript")

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : []
  })
// The guide's limits hold for the apps too, not only the published packages.
const files = ["packages", "apps"].flatMap((top) =>
  readdirSync(join(root, top)).flatMap((p) => {
    try {
      return walk(join(root, top, p, "src"))
    } catch {
      return []
    }
  })
)

const findings: Array<string> = []
const graph = new Map<string, Array<string>>()
for (const file of files) {
  const text = readFileSync(file, "utf8")
  const lines = text.split("\n").length - 1
  if (lines > 400) findings.push(`file ${relative(root, file)}: ${lines} lines`)
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const visit = (node: import("typescript").Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const a = sf.getLineAndCharacterOfPosition(node.getStart()).line
      const b = sf.getLineAndCharacterOfPosition(node.end).line
      if (b - a + 1 > 150) findings.push(`function ${relative(root, file)}:${a + 1}: ${b - a + 1} lines`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  graph.set(
    file,
    [...text.matchAll(/from "(\.\.?\/[\w./-]+)"/g)].map((m) => resolve(dirname(file), m[1]!))
  )
}

const done = new Set<string>()
const stack: Array<string> = []
const dfs = (file: string): void => {
  if (stack.includes(file)) {
    const cycle = [...stack.slice(stack.indexOf(file)), file].map((f) => relative(root, f))
    findings.push(`cycle ${cycle.join(" -> ")}`)
    return
  }
  if (done.has(file)) return
  done.add(file)
  stack.push(file)
  for (const next of graph.get(file) ?? []) dfs(next)
  stack.pop()
}
for (const file of files) dfs(file)

for (const f of findings) console.log(f)
console.log(`${files.length} files checked, ${findings.length} findings`)
process.exit(findings.length === 0 ? 0 : 1)
