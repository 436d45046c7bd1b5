// `pnpm bench` at the root: every package's benchmark (one at a time, each writes its own
// bench/results.md), then @tta/core vs LangChain.js (apps/demo/bench/langchain.ts), then
// bench/results.md here, which puts the comparison first and includes every package's results.md.
// `--skip-packages` reuses the packages' existing results.md files (for working on the comparison).
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import os from "node:os"
import { delimiter, dirname, join, relative } from "node:path"

const root = join(import.meta.dirname, "..")
const skipPackages = process.argv.includes("--skip-packages")
// Children run on this Node (24, for type stripping) even when the shell's `node` is older.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` }

const run = (title: string, command: string, args: ReadonlyArray<string>) => {
  console.log(`\n=== ${title}: ${[command, ...args].join(" ")}\n`)
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" })
  if (result.error) console.error(result.error)
  return result.status === 0
}

const benchFiles = () =>
  ["packages", "apps"].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name, "bench", "results.md"))
      .filter((file) => existsSync(file))
  )
const comparisonFile = join(root, "apps", "demo", "bench", "results.md")
const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0)

const before = new Map(benchFiles().map((file) => [file, mtime(file)]))
let packagesOk = true
if (!skipPackages)
  packagesOk = run("package benchmarks", join(root, "node_modules", ".bin", "turbo"), [
    "run",
    "bench",
    "--concurrency=1"
  ])
const comparisonBefore = mtime(comparisonFile)
const comparisonOk = run("@tta/core vs LangChain.js", process.execPath, [
  "--conditions=@tta/source",
  "apps/demo/bench/langchain.ts"
])

// Each included file moves one heading level down, and its relative links are rebased to here.
const outDir = join(root, "bench")
const include = (file: string) => {
  const from = relative(outDir, dirname(file))
  return readFileSync(file, "utf8")
    .trim()
    .replace(/^(#{1,5}) /gm, "#$1 ")
    .replace(/\]\((?!https?:|#|\/)([^)\s]+)\)/g, (_, link: string) => `](${join(from, link)})`)
}
// A file this run did not rewrite (its benchmark failed or was skipped) is kept, and says so.
const stale = (file: string, earlier: number | undefined) =>
  earlier !== undefined && mtime(file) === earlier
    ? "\n\n> Not refreshed by this run (its benchmark failed or was skipped): figures from an earlier run."
    : ""

const packageFiles = benchFiles().filter((file) => file !== comparisonFile)
const benched = new Set(packageFiles.map((file) => relative(root, dirname(dirname(file)))))
const without = readdirSync(join(root, "packages"))
  .map((name) => `packages/${name}`)
  .filter((dir) => existsSync(join(root, dir, "package.json")) && !benched.has(dir))
const cpu = os.cpus()[0]?.model ?? "unknown CPU"

const sections = [
  `# Benchmarks

Written by \`pnpm bench\` (scripts/bench.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpu} (${os.cpus().length} cores), Node
${process.version}, ${os.platform()}/${os.arch()}. Each section below is the \`bench/results.md\` its benchmark wrote (in this
run unless marked otherwise); every ratio in it is against a baseline measured in the same process and run.`,
  existsSync(comparisonFile)
    ? `${include(comparisonFile)}${stale(comparisonFile, comparisonBefore)}\n\n` +
      `Source: [${relative(root, comparisonFile)}](${relative(outDir, comparisonFile)})`
    : "## @tta/core vs LangChain.js\n\nThe comparison did not run (see the console output).",
  ...packageFiles.map(
    (file) =>
      `${include(file)}${stale(file, before.get(file))}\n\n` +
      `Source: [${relative(root, file)}](${relative(outDir, file)})`
  ),
  ...(without.length ? [`Packages without a benchmark: ${without.join(", ")}.`] : [])
]

mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, "results.md"), `${sections.join("\n\n")}\n`)
console.log(
  `\nwrote bench/results.md${packagesOk && comparisonOk ? "" : " (some benchmarks failed, see above)"}`
)
process.exit(packagesOk && comparisonOk ? 0 : 1)
