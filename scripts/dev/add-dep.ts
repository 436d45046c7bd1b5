// Adds a dependency to one workspace package through the pnpm catalog, then installs.
// Usage: node scripts/dev/add-dep.ts <package dir> <name>@<version> [--dev]
// Serialised with a lock file so parallel work never runs two installs at once.
import { execFileSync } from "node:child_process"
import { openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const [dir, spec, flag] = process.argv.slice(2)
if (!dir || !spec) {
  console.error("usage: node scripts/dev/add-dep.ts <package dir> <name>@<version> [--dev]")
  process.exit(2)
}
const at = spec.lastIndexOf("@")
const name = at > 0 ? spec.slice(0, at) : spec
const version = at > 0 ? spec.slice(at + 1) : ""
if (!version) {
  console.error(`give an exact version: ${name}@x.y.z`)
  process.exit(2)
}
const root = join(import.meta.dirname, "..", "..")
const lock = join(root, "node_modules", ".add-dep.lock")

for (let i = 0; ; i++) {
  try {
    openSync(lock, "wx")
    break
  } catch {
    if (i > 600) throw new Error(`lock ${lock} held for 10 minutes`)
    execFileSync("sleep", ["1"])
  }
}
try {
  const ws = join(root, "pnpm-workspace.yaml")
  const text = readFileSync(ws, "utf8")
  const key = /^[a-z0-9]/.test(name) ? name : `"${name}"`
  const lines = text.split("\n")
  const start = lines.indexOf("catalog:")
  const entries = lines.slice(start + 1).filter((l) => l.startsWith("  "))
  const existing = entries.find((l) => l.trim().startsWith(`${key}:`))
  if (!existing) {
    const sorted = [...entries, `  ${key}: ${version}`].sort((a, b) =>
      a.trim().replace(/"/g, "").localeCompare(b.trim().replace(/"/g, ""))
    )
    const rest = lines.slice(start + 1 + entries.length)
    writeFileSync(ws, [...lines.slice(0, start + 1), ...sorted, ...rest].join("\n"))
  } else if (!existing.includes(version)) {
    console.error(`catalog already has ${existing.trim()}; using that`)
  }
  const pj = join(root, dir, "package.json")
  const pkg = JSON.parse(readFileSync(pj, "utf8"))
  const field = flag === "--dev" ? "devDependencies" : "dependencies"
  pkg[field] = Object.fromEntries(
    Object.entries({ ...pkg[field], [name]: "catalog:" }).sort(([a], [b]) => a.localeCompare(b))
  )
  writeFileSync(pj, `${JSON.stringify(pkg, null, 2)}\n`)
  execFileSync("npx", ["-y", "pnpm@10", "install"], { cwd: root, stdio: "inherit" })
} finally {
  rmSync(lock, { force: true })
}
