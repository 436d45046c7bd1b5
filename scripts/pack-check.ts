// `pnpm pack-check`: what a user gets from npm, before publishing. Packs every public package
// (`pnpm pack`: workspace: and catalog: ranges become real versions), then for each one makes a
// fresh npm project (`npm init -y`, type module), installs that tarball alone (with the tarballs of
// the @tta packages it depends on, which are not on npm yet) and runs its README example (the block
// marked `<!-- snippet: run -->`; a package without one is imported, and a bin is run with --help).
// Prints each install's warnings and its footprint (packages installed, node_modules size), and
// writes the table to bench/footprint.md. Slow (real installs from the npm registry): not part of
// `pnpm test`; CI runs it as its own step. `--keep` leaves the projects in the temp dir.
import { execFileSync, spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { checkCodeModePeers, peers } from "./pack-check-peers.ts"
import { extract } from "./snippets.ts"

const root = join(import.meta.dirname, "..")
const keep = process.argv.includes("--keep")
const work = mkdtempSync(join(tmpdir(), "tta-pack-"))
const tarballs = join(work, "tarballs")
mkdirSync(tarballs)

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly dependencies?: Readonly<Record<string, string>>
  readonly bin?: Readonly<Record<string, string>>
}

const packages = readdirSync(join(root, "packages"))
  .map((dir) => ({
    dir: join(root, "packages", dir),
    manifest: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest
  }))
  .filter((p) => p.manifest.private !== true)
const byName = new Map(packages.map((p) => [p.manifest.name, p]))

// npm and pnpm run on this Node (24), so engines checks see the Node the packages need.
const npmCli = join(
  dirname(realpathSync(execFileSync("which", ["npm"], { encoding: "utf8" }).trim())),
  "npm-cli.js"
)
const pnpmCli = process.env.npm_execpath
// The environment a user's shell would have: without the npm_config_* / npm_package_* variables
// \`pnpm run\` adds (npm would warn about pnpm's own settings), and without npm's update notice.
// Nor NODE_PATH, which pnpm's `node` shim points at the workspace's hoisted packages: require() in a
// test project would find what the project never installed (TypeScript, say).
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key) && key !== "NODE_PATH")
)
const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeout = 600_000) =>
  spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...env, npm_config_update_notifier: "false" }
  })
const npm = (args: ReadonlyArray<string>, cwd: string) => run(process.execPath, [npmCli, ...args], cwd)

const tarballOf = new Map<string, string>()
for (const p of packages) {
  const packed =
    pnpmCli === undefined
      ? run("npx", ["-y", "pnpm@10", "pack", "--pack-destination", tarballs], p.dir)
      : run(process.execPath, [pnpmCli, "pack", "--pack-destination", tarballs], p.dir)
  if (packed.status !== 0) throw new Error(`${p.manifest.name}: pnpm pack failed\n${packed.stderr}`)
  const file = readdirSync(tarballs).find(
    (f) => f === `${p.manifest.name.replace("@", "").replace("/", "-")}-${p.manifest.version}.tgz`
  )
  if (file === undefined) throw new Error(`${p.manifest.name}: no tarball in ${tarballs}`)
  tarballOf.set(p.manifest.name, join(tarballs, file))
}

const catalog = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")
const atCatalogVersion = (name: string) => {
  const version = new RegExp(`^\\s+"?${name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"?:\\s*(\\S+)`, "m").exec(
    catalog
  )?.[1]
  return version === undefined ? name : `${name}@${version}`
}

// A package's @tta dependencies, transitively: their tarballs go in with it.
const closure = (name: string, seen = new Set<string>()): Set<string> => {
  seen.add(name)
  for (const dep of Object.keys(byName.get(name)?.manifest.dependencies ?? {}))
    if (byName.has(dep) && !seen.has(dep)) closure(dep, seen)
  return seen
}

const kib = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`
const sizeOf = (dir: string) => Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0])

// Parts issue 19 wants out of a default install (optional peers, loaded on first use; redis came
// through @effect/platform-node's required peer): which are in.
const heavy = [
  "@e2b/code-interpreter",
  "@redis/client",
  "redis",
  "ioredis",
  "typescript",
  "typescript-api",
  "gpt-tokenizer",
  "quickjs-emscripten"
]

// npm 11 lists every dependency with an install script not yet approved in the project's
// `allowScripts`; isolated-vm's is explained in the README ("Install footprint"). Counted apart.
const isNotice = (line: string) => /install-scripts/.test(line)

const footprint = (project: string) => {
  const modules = join(project, "node_modules")
  if (!existsSync(modules)) return { installed: 0, size: 0, present: [] as Array<string> }
  const installed = npm(["ls", "--all", "--parseable"], project)
    .stdout.split("\n")
    .filter((l) => l.includes("node_modules")).length
  return {
    installed,
    size: sizeOf(modules),
    present: heavy.filter((h) => existsSync(join(modules, h, "package.json")))
  }
}

const report = (row: Row) => {
  console.log(
    `${row.ok ? "ok  " : "FAIL"} ${row.name}: ${row.installed} packages, ${kib(row.size)}; ${row.example}`
  )
  for (const w of row.warnings) console.log(`     ${w}`)
}

interface Row {
  readonly name: string
  readonly tarball: number
  readonly installed: number
  readonly size: number
  readonly warnings: ReadonlyArray<string>
  readonly heavy: ReadonlyArray<string>
  readonly example: string
  readonly ok: boolean
}

const rows: Array<Row> = []
for (const p of packages) {
  const name = p.manifest.name
  const project = join(work, name.replace("@", "").replace("/", "-"))
  mkdirSync(project)
  npm(["init", "-y"], project)
  npm(["pkg", "set", "type=module"], project)
  const install = npm(
    ["install", "--no-audit", "--no-fund", ...[...closure(name)].map((n) => tarballOf.get(n)!)],
    project
  )
  const warnings = `${install.stdout}\n${install.stderr}`.split("\n").filter((l) => /\bwarn\b/i.test(l))
  // The footprint is the package's own install, measured before any stand-in the example needs.
  const { installed, size, present } = footprint(project)
  let example = "install failed"
  let ok = install.status === 0
  if (ok) {
    const runnable = extract(join(p.dir, "README.md")).find((s) => s.run)
    // What the example's hidden stand-ins need (e.g. a local MCP server), at the catalog's version.
    if (runnable !== undefined && runnable.needs.length > 0)
      npm(["install", "--no-audit", "--no-fund", ...runnable.needs.map(atCatalogVersion)], project)
    if (runnable !== undefined) writeFileSync(join(project, "example.ts"), runnable.code)
    const attempt =
      runnable !== undefined
        ? { what: "README example", result: run(process.execPath, ["example.ts"], project, 120_000) }
        : {
            what: "import",
            result: run(process.execPath, ["-e", `await import(${JSON.stringify(name)})`], project)
          }
    ok = attempt.result.status === 0
    example = `${attempt.what} ${ok ? "ran" : `failed: ${`${attempt.result.stderr}`.trim().split("\n").slice(-3).join(" / ")}`}`
    for (const bin of Object.keys(p.manifest.bin ?? {})) {
      const help = run(join(project, "node_modules", ".bin", bin), ["--help"], project, 120_000)
      ok &&= help.status === 0
      example += `; \`${bin} --help\` ${help.status === 0 ? "ran" : "failed"}`
    }
  }
  rows.push({
    name,
    tarball: sizeOf(tarballOf.get(name)!),
    installed,
    size,
    warnings,
    heavy: present,
    example,
    ok
  })
  report(rows.at(-1)!)
  if (name === "@tta/code-mode" && install.status === 0) {
    const tta = (args: ReadonlyArray<string>, cwd: string) =>
      run(process.execPath, [join(project, "node_modules", ".bin", "tta"), ...args], cwd, 120_000)
    const peerReport = checkCodeModePeers(project, { npm, tta, atCatalogVersion })
    const withPeers = footprint(project)
    const failed = peerReport.checks.filter((c) => !c.ok)
    rows.push({
      name: `${name} + ${peers({ npm, tta, atCatalogVersion }).join(" ")}`,
      tarball: sizeOf(tarballOf.get(name)!),
      ...withPeers,
      heavy: withPeers.present,
      warnings: peerReport.installWarnings,
      example: `${peerReport.checks.length - failed.length}/${peerReport.checks.length} optional-peer checks passed${failed.map((c) => `; FAILED ${c.what}: ${c.detail}`).join("")}`,
      ok: failed.length === 0
    })
    report(rows.at(-1)!)
  }
}

const node = process.version
const table = [
  "| package | tarball | packages installed | node_modules | heavy optional parts in it | install warnings | example |",
  "|---|---:|---:|---:|---|---|---|",
  ...rows.map((r) => {
    const notices = r.warnings.filter(isNotice).length > 0 ? "npm's isolated-vm install-scripts notice" : ""
    const others = r.warnings.filter((w) => !isNotice(w)).length
    const warnings = [others > 0 ? `${others}` : "", notices].filter((w) => w !== "").join(" + ") || "none"
    return `| \`${r.name}\` | ${kib(r.tarball)} | ${r.installed} | ${kib(r.size)} | ${r.heavy.join(", ") || "none"} | ${warnings} | ${r.example} |`
  })
].join("\n")
writeFileSync(
  join(root, "bench", "footprint.md"),
  `# Install footprint

Written by \`pnpm pack-check\` (scripts/pack-check.ts) on ${new Date().toISOString().slice(0, 10)}, npm on Node ${node}: each
package packed with \`pnpm pack\` and installed alone from its tarball (plus the tarballs of the @tta
packages it depends on) into a fresh \`npm init -y\` project; packages installed counts everything in
node_modules (\`npm ls --all\`), the size is \`du -sb node_modules\`; "heavy optional parts" says which of
${heavy.join(", ")} it contains. The last row is the same @tta/code-mode project after \`npm install\` of its
optional peers beside it, with checks that the bundled \`tta\` finds them there (scripts/pack-check-peers.ts);
before that install, \`tta\` must run without them and name what is missing.

${table}
`
)
console.log(`\n${table}\n\nwrote bench/footprint.md`)
if (!keep) rmSync(work, { recursive: true, force: true })
else console.log(`projects kept in ${work}`)
process.exit(rows.every((r) => r.ok) ? 0 : 1)
