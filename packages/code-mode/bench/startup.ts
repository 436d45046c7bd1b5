// Start-up of the `tta` bin: CPU of `tta --help` and of a trivial `tta exec` (no servers, no
// type-check) against `node -e 0` measured in the same run, runs interleaved (baseline, help, exec,
// baseline, …) and each ratio taken pair by pair, so a machine that speeds up or slows down during
// the run moves both sides. Also the number of modules each one loads. The bin is bundled from the
// current sources first, as `pnpm build` makes dist/bin/tta.js.
// CPU is the whole child process's user+system time, bootstrap and teardown included, as the kernel
// accounts it once the process is reaped (bash's \`times\`: getrusage of the children, in ms) — as
// \`/usr/bin/time\` would, at a finer resolution; modules are counted in separate runs (the counting
// hook costs time of its own).
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { bundle } from "../scripts/bundle.ts"
import { writeSection } from "./section.ts"

const rounds = Number(process.env.BENCH_ROUNDS ?? 15)
const work = mkdtempSync(join(tmpdir(), "tta-startup-"))
const binDir = join(import.meta.dirname, "..", "node_modules", ".cache", `tta-bench-${process.pid}`)
const bin = await bundle(binDir)
writeFileSync(join(work, "none.json"), JSON.stringify({ mcpServers: {}, codeMode: { typeCheck: false } }))
writeFileSync(join(work, "one.ts"), "export default 1 + 1\n")
writeFileSync(join(work, "typed.ts"), "const two: number = 1 + 1\nexport default two\n")
// The floor of an exec in an isolate: load isolated-vm, make an isolate and a context, compile and
// run a one-line module, read its value, dispose (what any isolate sandbox must do per process).
const isolateFloor = join(work, "isolate.cjs")
writeFileSync(
  isolateFloor,
  `const ivm = require(${JSON.stringify(createRequire(import.meta.url).resolve("isolated-vm"))})
const isolate = new ivm.Isolate({ memoryLimit: 64 })
const context = isolate.createContextSync()
const m = isolate.compileModuleSync("export default 1 + 1", { filename: "agent.js" })
m.instantiateSync(context, () => { throw new Error("no imports") })
m.evaluateSync()
if (m.namespace.getSync("default", { copy: true }) !== 2) throw new Error("isolate floor: wrong value")
context.release()
isolate.dispose()
`
)

const moduleHook = join(work, "modules.mjs")
writeFileSync(
  moduleHook,
  `import { registerHooks } from "node:module"; import { appendFileSync } from "node:fs"
const seen = new Set(); registerHooks({ load(url, context, next) { seen.add(url); return next(url, context) } })
process.on("exit", () => appendFileSync(process.env.TTA_BENCH_OUT, seen.size + "\\n"))\n`
)

const exec = (file: string) => [bin, "exec", file, "-c", "none.json", "--dir", join(work, ".tta")]
const commands = {
  "node -e 0": ["-e", "0"],
  "limit: raw isolated-vm (isolate, context, one-line module, dispose)": [isolateFloor],
  "part: Node's type stripper, first call": [
    "-e",
    'require("node:module").stripTypeScriptTypes("const two: number = 2")'
  ],
  "tta --help": [bin, "--help"],
  "tta exec one.ts (no servers, no type-check)": exec("one.ts"),
  "tta exec typed.ts (same, with a type annotation)": exec("typed.ts")
} as const
type Name = keyof typeof commands

// CPU ms of one whole run: bash runs it, then \`times\` prints the children's user and system time.
const cpuOf = (name: Name) => {
  const r = spawnSync(
    "bash",
    ["-c", '"$0" "$@" >/dev/null 2>&1 || echo "exit $?"; times', process.execPath, ...commands[name]],
    { cwd: work, encoding: "utf8" }
  )
  const children = r.stdout.trim().split("\n").at(-1) ?? ""
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(children)
  if (r.status !== 0 || r.stdout.includes("exit ") || m === null)
    throw new Error(`${name} failed: ${r.stdout}${r.stderr}`)
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000
}

const modulesOf = (name: Name) => {
  const out = join(work, "out")
  rmSync(out, { force: true })
  const r = spawnSync(process.execPath, ["--import", moduleHook, ...commands[name]], {
    cwd: work,
    env: { ...process.env, TTA_BENCH_OUT: out },
    stdio: ["ignore", "ignore", "pipe"]
  })
  if (r.status !== 0 || !existsSync(out)) throw new Error(`${name} failed (${r.status}): ${r.stderr}`)
  return Number(readFileSync(out, "utf8").trim())
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const names = Object.keys(commands) as Array<Name>
for (const name of names) cpuOf(name) // warm the file and compile caches
const cpu = new Map<Name, Array<number>>(names.map((n) => [n, []]))
const ratios = new Map<Name, Array<number>>(names.map((n) => [n, []]))
for (let i = 0; i < rounds; i++) {
  const round = new Map(names.map((n) => [n, cpuOf(n)]))
  for (const n of names) {
    cpu.get(n)!.push(round.get(n)!)
    ratios.get(n)!.push(round.get(n)! / round.get("node -e 0")!)
  }
}
const modules = new Map(names.map((n) => [n, modulesOf(n)]))

// Wall time of an exec that reads one file through server-filesystem: cold (tta starts the server)
// vs --connect to a running `tta serve --http` with the same config (its server already started).
const fsBin = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-filesystem/package.json")),
  "dist/index.js"
)
writeFileSync(join(work, "hello.txt"), "hello")
writeFileSync(
  join(work, "fs.json"),
  JSON.stringify({ mcpServers: { filesystem: { command: process.execPath, args: [fsBin, work] } } })
)
writeFileSync(
  join(work, "read.ts"),
  `import { readTextFile } from "./servers/filesystem/index.ts"\nexport default (await readTextFile({ path: ${JSON.stringify(join(work, "hello.txt"))} })).content\n`
)
const gateway = spawn(
  process.execPath,
  [bin, "-c", "fs.json", "--dir", join(work, ".tta"), "serve", "--http", "0"],
  {
    cwd: work,
    stdio: ["ignore", "ignore", "pipe"]
  }
)
const url = await new Promise<string>((resolve, reject) => {
  let err = ""
  gateway.stderr!.on("data", (chunk: Buffer) => {
    err += chunk
    const m = /listening on (\S+)/.exec(err)
    if (m) resolve(m[1]!)
  })
  gateway.on("exit", (code) => reject(new Error(`tta serve exited ${code}: ${err}`)))
})
const wall = (args: ReadonlyArray<string>) => {
  const t = performance.now()
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, stdio: ["ignore", "pipe", "pipe"] })
  if (r.status !== 0) throw new Error(`tta ${args.join(" ")} failed (${r.status}): ${r.stderr}`)
  return performance.now() - t
}
const coldArgs = ["-c", "fs.json", "--dir", join(work, ".tta"), "exec", "read.ts"]
const connectedArgs = ["exec", "--connect", url, "read.ts"]
wall(connectedArgs) // the gateway starts its server on the first run
const cold: Array<number> = []
const connected: Array<number> = []
const speedups: Array<number> = []
for (let i = 0; i < Math.max(3, Math.ceil(rounds / 3)); i++) {
  cold.push(wall(coldArgs))
  connected.push(wall(connectedArgs))
  speedups.push(cold.at(-1)! / connected.at(-1)!)
}
gateway.kill("SIGTERM")
await new Promise((resolve) => gateway.once("exit", resolve))
rmSync(binDir, { recursive: true, force: true })
rmSync(work, { recursive: true, force: true })

const goals: Partial<Record<Name, number>> = {
  "tta --help": 4,
  "tta exec one.ts (no servers, no type-check)": 8
}
const range = (xs: ReadonlyArray<number>) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`
const table = [
  "| command | CPU ms (median) | × `node -e 0` (median of paired ratios) | min–max | goal | modules loaded |",
  "|---|---:|---:|---:|---:|---:|",
  ...names.map(
    (n) =>
      `| ${n} | ${median(cpu.get(n)!).toFixed(1)} | ${median(ratios.get(n)!).toFixed(2)} | ${range(ratios.get(n)!)} | ${goals[n] ? `≤ ${goals[n]}×` : ""} | ${modules.get(n)} |`
  )
].join("\n")
const section = `## Start-up of the \`tta\` bin

Measured with \`node bench/startup.ts\` (part of \`pnpm bench\`) on ${new Date().toISOString().slice(0, 10)}:
${rounds} interleaved rounds, CPU = the whole process's user + system time as the kernel accounts it
(bash's \`times\` after the run: bootstrap and teardown included), the bin bundled from the sources
as \`pnpm build\` makes it.

${table}

| exec reading one file through server-filesystem (wall, median of ${cold.length}, interleaved) | ms |
|---|---:|
| cold: \`tta exec read.ts\` (starts the server) | ${median(cold).toFixed(0)} |
| connected: \`tta exec --connect <url> read.ts\` to a running \`tta serve --http\` | ${median(connected).toFixed(0)} |
| cold / connected (median of paired ratios) | ${median(speedups).toFixed(1)}× |

"limit" is what any isolate sandbox pays per process, the floor under a trivial exec; "part" is
Node's type stripper (amaro, swc compiled to WASM) on its first call, which an exec pays when its
code has TypeScript syntax to strip. \`tta exec\` counts no tokens unless asked (\`--tokens\`).
`
writeSection("## Start-up of the `tta` bin", section)
console.log(section)
