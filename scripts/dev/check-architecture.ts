// Keeps docs/architecture.md true to the code. Checks that
// - every `<!-- modules: DIR -->` table names exactly the .ts files under DIR (recursive),
// - every other `File.ts` the page names in backticks exists under packages/*/src or apps/demo/src
//   (paths of the tree mounted in the sandbox, `servers/...`, are not modules and are skipped),
// - no import of `@tta/<pkg>` (src, test, bench) and no package.json dependency points up the
//   package list (a package may import only the packages listed before it).
// Usage: node scripts/dev/check-architecture.ts (Node 24). Exits 1 with one line per finding.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const root = join(import.meta.dirname, "..", "..")
const page = "docs/architecture.md"
const text = readFileSync(join(root, page), "utf8")
const findings: Array<string> = []

/** Every file below `dir` whose name ends with `ext`, as paths relative to `dir`. */
const filesUnder = (dir: string, ext: string, base = dir): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        if (name === "node_modules" || name === "dist") return []
        if (statSync(path).isDirectory()) return filesUnder(path, ext, base)
        return name.endsWith(ext) ? [relative(base, path)] : []
      })
    : []

const tsToken = /`([\w./-]+\.ts)`/g

// 1. Module tables: a marker, then the table up to the next heading.
const lines = text.split("\n")
const inTables = new Set<number>()
lines.forEach((line, i) => {
  const marker = /^<!-- modules: (\S+) -->$/.exec(line)
  if (marker === null) return
  const dir = marker[1]!
  const named = new Set<string>()
  for (let j = i + 1; j < lines.length && !lines[j]!.startsWith("#"); j++) {
    inTables.add(j)
    const cell = /^\| `([^`]+\.ts)` \|/.exec(lines[j]!)
    if (cell) named.add(cell[1]!)
  }
  const present = new Set(filesUnder(join(root, dir), ".ts"))
  for (const f of present) if (!named.has(f)) findings.push(`${page}: ${dir}/${f} is missing from its table`)
  for (const f of named)
    if (!present.has(f)) findings.push(`${page}: ${dir}/${f} is named but does not exist`)
})

// 2. Every other module named in backticks exists somewhere.
const sources = [
  ...readdirSync(join(root, "packages")).flatMap((p) =>
    filesUnder(join(root, "packages", p, "src"), ".ts").map((f) => `packages/${p}/src/${f}`)
  ),
  ...filesUnder(join(root, "apps/demo/src"), ".ts").map((f) => `apps/demo/src/${f}`)
]
// Paths of the tree mounted in the sandbox (generated, not modules of ours).
const mounted = /^(?:\.\/)?(?:servers|skills|workspace)\/|^(?:workspace|content|agent)\.ts$/
lines.forEach((line, i) => {
  if (inTables.has(i)) return
  for (const m of line.matchAll(tsToken)) {
    const name = m[1]!
    if (mounted.test(name)) continue
    if (!sources.some((s) => s === name || s.endsWith(`/${name}`))) {
      findings.push(`${page}:${i + 1}: \`${name}\` names no module under packages/*/src or apps/demo/src`)
    }
  }
})

// 3. Imports point down the package list.
const order = [
  "search",
  "core",
  "observability",
  "mcp",
  "codegen",
  "sandbox",
  "skills",
  "durable",
  "code-mode",
  "demo"
]
const dirOf = (name: string) => (name === "demo" ? "apps/demo" : `packages/${name}`)
order.forEach((name, rank) => {
  const dir = join(root, dirOf(name))
  const upward = (dep: string) => {
    const target = order.indexOf(dep)
    return target > rank
  }
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >
  for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    for (const dep of Object.keys(pkg[field] ?? {})) {
      const m = /^@tta\/(.+)$/.exec(dep)
      if (m && upward(m[1]!)) findings.push(`${dirOf(name)}/package.json: ${field} ${dep} points up the list`)
    }
  }
  for (const sub of ["src", "test", "bench"]) {
    for (const file of [...filesUnder(join(dir, sub), ".ts"), ...filesUnder(join(dir, sub), ".mjs")]) {
      const source = readFileSync(join(dir, sub, file), "utf8")
      for (const m of source.matchAll(/(?:from\s+|import\s*\(?\s*)["']@tta\/([\w-]+)/g)) {
        if (upward(m[1]!)) findings.push(`${dirOf(name)}/${sub}/${file}: imports @tta/${m[1]} (up the list)`)
      }
    }
  }
})

if (findings.length > 0) {
  for (const f of findings) console.error(f)
  process.exit(1)
}
console.log(`${page}: every module named exists, every table is complete, imports point down the list`)
