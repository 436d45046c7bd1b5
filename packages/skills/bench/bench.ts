// pnpm bench: the skill store with 1,000 skills on disk. save, get(best), search, recordRun,
// list and files(), each against a baseline measured in the same run on the same machine:
// save vs a bare durable atomic write of the same code (temp + fsync + rename), get vs a bare
// readFile of the version file, search vs a bare MiniSearch over the same documents with the same
// options queried in memory (interleaved query by query), files()/list() vs one bare fs.stat (the
// least any freshness check costs). Writes bench/results.md.
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { open, readFile, rename, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TextIndex } from "@tta/search"
import { Effect } from "effect"
import MiniSearch from "minisearch"
import { SkillSearch, SkillStore } from "../src/index.ts"

const N = 1000
const verbs = [
  "parse",
  "fetch",
  "summarize",
  "convert",
  "validate",
  "merge",
  "index",
  "render",
  "export",
  "scan"
]
const nouns = ["csv", "invoice", "issue", "weather", "calendar", "email", "image", "report", "ticket", "log"]
const extras = ["batch", "daily", "remote", "local", "fast", "safe", "bulk", "delta", "full", "quick"]
const names = Array.from({ length: N }, (_, i) => {
  const v = verbs[i % 10] as string
  const n = nouns[Math.floor(i / 10) % 10] as string
  const x = extras[Math.floor(i / 100) % 10] as string
  return { name: `${v}-${n}-${x}`, v, n, x }
})
const codeFor = (name: string, k: number) =>
  `/** ${name}, revision ${k}. */\nexport async function run(input: { path: string; limit?: number }): Promise<Array<string>> {\n  const out: Array<string> = []\n  for (let i = 0; i < (input.limit ?? 10); i++) out.push(\`\${input.path}#\${i}+${k}\`)\n  return out\n}\n`
const queries = [
  "csv",
  "parse invoice",
  "weather daily",
  "summarize github issues",
  "convert image",
  "valid",
  "emial",
  "ticket report",
  "bulk merge logs",
  "fast render calendar"
]

const quantile = (xs: ReadonlyArray<number>, q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number
}
const ms = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
const timed = <A, E, R>(eff: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const t = performance.now()
    yield* eff
    return performance.now() - t
  })
const timedPromise = async (f: () => Promise<unknown>) => {
  const t = performance.now()
  await f()
  return performance.now() - t
}

const root = mkdtempSync(join(tmpdir(), "tta-skills-bench-"))
const rawDir = mkdtempSync(join(tmpdir(), "tta-skills-bench-raw-"))

const program = Effect.gen(function* () {
  const store = yield* SkillStore.SkillStore

  const fillStart = performance.now()
  yield* Effect.forEach(
    names,
    ({ name, v, n, x }) =>
      store.save({
        name,
        description: `${v[0]?.toUpperCase()}${v.slice(1)} ${n} data (${x} mode): reads the input, ${v}s every ${n} and returns the rows`,
        tags: [v, n, x],
        code: codeFor(name, 0)
      }),
    { concurrency: 8, discard: true }
  )
  const fillMs = performance.now() - fillStart

  const pick = (i: number) => (names[(i * 7919) % N] as { name: string }).name

  // save: a new version of an existing skill, sequentially
  const save: Array<number> = []
  const saveBase: Array<number> = []
  for (let i = 0; i < 200; i++) {
    const code = codeFor(pick(i), i + 1)
    save.push(
      yield* timed(store.save({ name: pick(i), description: "bench revision", tags: ["bench"], code }))
    )
    saveBase.push(
      yield* Effect.promise(() =>
        timedPromise(async () => {
          const tmp = join(rawDir, `.tmp-${randomUUID()}`)
          const fh = await open(tmp, "wx")
          await fh.writeFile(code)
          await fh.sync()
          await fh.close()
          await rename(tmp, join(rawDir, `${i}.ts`))
        })
      )
    )
  }

  // get(best) and the bare read of the same file
  const get: Array<number> = []
  const getBase: Array<number> = []
  for (let i = 0; i < 1000; i++) {
    const name = pick(i + 500)
    let version = 1
    get.push(yield* timed(Effect.map(store.get(name, { version: "best" }), (s) => (version = s.version))))
    getBase.push(
      yield* Effect.promise(() =>
        timedPromise(() => readFile(join(root, "skills", name, "versions", `${version}.ts`), "utf8"))
      )
    )
  }

  // recordRun
  const record: Array<number> = []
  for (let i = 0; i < 300; i++) {
    record.push(yield* timed(store.recordRun(pick(i), 1, { ok: i % 10 !== 0, durationMs: i % 50 })))
  }

  // search: the first call on this store loads the warm view from disk; then each query
  // repeatedly, interleaved with the same query on a bare MiniSearch in memory.
  const firstSearch = yield* timed(store.search("csv"))
  const listing = yield* store.list()
  const mini = new MiniSearch<SkillSearch.Entry>({
    ...TextIndex.miniSearchOptions(SkillSearch.boost),
    fields: [...SkillSearch.fields],
    storeFields: []
  })
  mini.addAll(listing.map((s) => SkillSearch.entry(s.name, s.description, s.tags)))
  const search: Array<number> = []
  const searchBase: Array<number> = []
  for (let r = 0; r < 30; r++) {
    for (const q of queries) {
      search.push(yield* timed(store.search(q)))
      const t = performance.now()
      mini.search(q).slice(0, 10)
      searchBase.push(performance.now() - t)
    }
  }

  // the same queries on a store that re-checks every skill's files on each call
  const strict = yield* Effect.provide(
    SkillStore.SkillStore,
    SkillStore.SkillStore.layerNode({ root, rescanMs: 0 })
  )
  yield* strict.search("warm up")
  const searchStrict: Array<number> = []
  for (let r = 0; r < 3; r++) for (const q of queries) searchStrict.push(yield* timed(strict.search(q)))

  // files() and list() from the warm view (what every execution pays for the skill mount)
  let fileCount = 0
  const files: Array<number> = []
  const list: Array<number> = []
  const statBase: Array<number> = []
  const someFile = join(root, "skills", pick(0), "SKILL.md")
  for (let i = 0; i < 300; i++) {
    files.push(yield* timed(Effect.map(store.files(), (f) => (fileCount = Object.keys(f).length))))
    list.push(yield* timed(store.list()))
    statBase.push(yield* Effect.promise(() => timedPromise(() => stat(someFile))))
  }
  // a store opened on the same root: its first files() loads the view from disk
  const cold = yield* Effect.provide(SkillStore.SkillStore, SkillStore.SkillStore.layerNode({ root }))
  const filesColdMs = yield* timed(cold.files())
  // a new store mounting only the one skill some code imports (what a one-shot tta exec needs)
  const onlyName = pick(3)
  const single = yield* Effect.provide(SkillStore.SkillStore, SkillStore.SkillStore.layerNode({ root }))
  const onlyColdMs = yield* timed(single.files({ only: [onlyName] }))
  const onlyBaseMs = yield* Effect.promise(() =>
    timedPromise(() =>
      Promise.all(["index.ts", "SKILL.md"].map((f) => readFile(join(root, "skills", onlyName, f), "utf8")))
    )
  )
  // the physical limit of a cold mount: read every skill's index.ts and SKILL.md, 16 at a time
  const coldBaseMs = yield* Effect.promise(() =>
    timedPromise(async () => {
      const paths = names.flatMap(({ name }) =>
        ["index.ts", "SKILL.md"].map((f) => join(root, "skills", name, f))
      )
      for (let i = 0; i < paths.length; i += 16)
        await Promise.all(paths.slice(i, i + 16).map((p) => readFile(p, "utf8")))
    })
  )

  return {
    fillMs,
    save,
    saveBase,
    get,
    getBase,
    record,
    firstSearch,
    search,
    searchStrict,
    searchBase,
    files,
    list,
    statBase,
    filesColdMs,
    coldBaseMs,
    onlyColdMs,
    onlyBaseMs,
    fileCount
  }
})

const r = await Effect.runPromise(program.pipe(Effect.provide(SkillStore.SkillStore.layerNode({ root }))))
rmSync(root, { recursive: true, force: true })
rmSync(rawDir, { recursive: true, force: true })

const row = (
  what: string,
  xs: ReadonlyArray<number>,
  base: ReadonlyArray<number> | undefined,
  baseName: string
) => {
  const p50 = quantile(xs, 0.5)
  const b = base ? quantile(base, 0.5) : undefined
  return `| ${what} | ${xs.length} | ${ms(p50)} | ${ms(quantile(xs, 0.95))} | ${b === undefined ? "—" : `${ms(b)} (${baseName})`} | ${b === undefined ? "—" : `${(p50 / b).toFixed(1)}×`} |`
}
const table = [
  "| operation (1,000 skills on disk) | samples | p50 ms | p95 ms | baseline p50 ms | ratio |",
  "|---|---|---|---|---|---|",
  row("save (new version)", r.save, r.saveBase, "temp + fsync + rename"),
  row("get(best)", r.get, r.getBase, "readFile of the version"),
  row("search (top 10, warm view, rescan 1 s)", r.search, r.searchBase, "bare MiniSearch in memory"),
  row("search, rescan on every call", r.searchStrict, r.searchBase, "bare MiniSearch in memory"),
  row(`files() warm (${r.fileCount} files)`, r.files, r.statBase, "one fs.stat"),
  row("list() warm", r.list, r.statBase, "one fs.stat"),
  row("recordRun", r.record, undefined, ""),
  `| first search (view loaded from disk) | 1 | ${ms(r.firstSearch)} | | | |`,
  `| files() cold (a new store loads the view) | 1 | ${ms(r.filesColdMs)} | | ${ms(r.coldBaseMs)} (readFile of every index.ts + SKILL.md) | ${(r.filesColdMs / r.coldBaseMs).toFixed(1)}× |`,
  `| files({ only: [one skill] }) cold (a new store) | 1 | ${ms(r.onlyColdMs)} | | ${ms(r.onlyBaseMs)} (readFile of its index.ts + SKILL.md) | ${(r.onlyColdMs / r.onlyBaseMs).toFixed(1)}× |`,
  `| fill: 1,000 saves, 8 at a time | 1 | ${ms(r.fillMs)} | | | |`
].join("\n")

console.log(table)
const md = `# @tta/skills benchmark

\`pnpm bench\` (\`node bench/bench.ts\`), Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}, on the shared
2-core build machine (other work running), so absolute numbers are noisy; ratios are against a
baseline measured in the same run. Saves are durable (fsync before rename).

${table}

- **save**: validate + parse the code, lock the skill, write SKILL.md, claim \`versions/<n>.ts\` with
  \`link(2)\`, write index.ts and stats.json (each temp + fsync + rename), unlock. The baseline is one
  bare durable atomic write of the same code.
- **get(best)**: list the versions, read stats.json, check index.ts and SKILL.md for edits by hand
  (stat; re-read only what changed), read the version. The baseline is one \`readFile\`.
- **search**: the warm view's TextIndex (@tta/search: MiniSearch with the shared tokenizer) over
  name, description and tags; summaries come from memory. Each call first stats the change
  journal (\`skills/.changes\`, appended by every save/run/remove in any process), so other
  processes' changes show at once; every \`rescanMs\` (default 1 s) a call also compares the file
  identities of every skill, for edits by hand. The second row pays that rescan on every call
  (4 stats × 1,000 skills). The baseline is a bare MiniSearch over the same documents with the same
  options, queried in memory, interleaved with the store's calls.
- **files() / list()**: served from the warm view after one stat of the journal; \`files()\` (the
  mount of every execution) leaves the hand-edit rescan to a background fiber. The baseline is one
  bare \`fs.stat\`. "cold" is the first call on a newly opened store (reads every skill);
  \`files({ only })\` on a new store reads just the skills named (and those they import).
`
writeFileSync(join(import.meta.dirname, "results.md"), md)
