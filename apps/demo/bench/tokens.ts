/**
 * The token benchmark (`pnpm bench:tokens`): every task of bench/tasks.ts (the demo's servers) and
 * of bench/thirdParty.ts (server-postgres on a throwaway cluster, filesystem, memory) done three
 * ways on the real servers, each way checked to give the same answer (and third-party answers the
 * source of truth's), each way's context counted with TokenAccount (gpt-tokenizer, o200k_base)
 * from the run's real definitions, calls and results.
 *
 *   direct       two baselines: the configured servers' definitions only, and those plus the
 *                captured catalogs of widely used MCP servers (fixtures/catalogs); every call,
 *                every full result
 *   tool search  the definitions a search surfaced (top 3 per query, plus any needed tool it
 *                missed) and the search tool's own definition, every call, every full result
 *   code mode    the gateway's 5 tool definitions, each search_tools call and the gateway's answer
 *                (the tool's TypeScript source), the execute call with the code, execute's answer
 *
 * Run: pnpm bench:tokens   (writes bench/tokens.md at the repo root; report per task, median, worst)
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { CodeMode, Gateway } from "@tta/code-mode"
import { Search, type ToolCatalog } from "@tta/codegen"
import { NodeFlags, Servers, Stack } from "@tta/demo"
import { PgTestCluster } from "@tta/durable/testing"
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import { Effect } from "effect"
import { gitTasks, repoDir, seedRepo } from "./gitTasks.ts"
import * as Redis from "./redisTasks.ts"
import { markdown, type SuiteResult } from "./report.ts"
import { type Call, SERVICES_TEAM_PREFIX, seedFiles, type Task, type TaskEnv, tasks } from "./tasks.ts"
import {
  type CheckedTask,
  seedShop,
  type ThirdPartyEnv,
  thirdPartyPackages,
  thirdPartyStack,
  thirdPartyTasks
} from "./thirdParty.ts"

export interface Fixture {
  readonly name: string
  readonly package: string
  readonly version: string
  readonly tools: ReadonlyArray<TokenAccount.ToolDefinition>
}

const fixtureDir = join(import.meta.dirname, "..", "fixtures", "catalogs")

/** The captured catalogs, minus the servers the benchmark runs live (their real lists are used). */
export const fixtures = (livePackages: ReadonlyArray<string>): Array<Fixture> =>
  readdirSync(fixtureDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map(
      (f) =>
        ({
          name: f.replace(/\.json$/, ""),
          ...JSON.parse(readFileSync(join(fixtureDir, f), "utf8"))
        }) as Fixture
    )
    .filter((c) => !livePackages.includes(c.package))

export const livePackages = [
  "@modelcontextprotocol/server-everything",
  "@modelcontextprotocol/server-filesystem",
  "@modelcontextprotocol/server-memory"
]

export interface TaskRow {
  readonly task: Task
  readonly answer: unknown
  /** The answer was also computed from the source of truth (SQL, the file on disk) and matched. */
  readonly checked: boolean
  readonly calls: number
  readonly searched: number
  readonly missedBySearch: ReadonlyArray<string>
  /** Direct with only the suite's configured servers' tool definitions. */
  readonly directHere: TokenAccount.Breakdown
  /** Direct with the configured servers and the captured catalogs of other servers ("many servers"). */
  readonly direct: TokenAccount.Breakdown
  readonly toolSearch: TokenAccount.Breakdown
  readonly codeMode: TokenAccount.Breakdown
}

// What a model sees of a result: its text content. Servers that also send structuredContent send
// the same JSON as text (the spec's advice), so counting both would double the direct figure.
const modelView = (r: CallToolResult): CallToolResult =>
  r.content.some((c) => c.type === "text") || r.structuredContent === undefined
    ? { content: r.content, ...(r.isError ? { isError: true } : {}) }
    : r

const text = (r: CallToolResult): string =>
  r.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n")

const resultValue = (r: CallToolResult): unknown => {
  if (r.structuredContent !== undefined) return r.structuredContent
  try {
    return JSON.parse(text(r))
  } catch {
    return text(r)
  }
}

const same = (a: unknown, b: unknown) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)))

const noCodeMode = { tools: [], read: [], code: [], returned: [] }

/** A signature that names its input or output type instead of writing it out (too long to inline). */
const namesAType = (signature: string) => /\b[A-Z][A-Za-z0-9]*(Input|Output)\b/.test(signature)

/**
 * Code mode as a model does it through the gateway: one `search_tools` call per tool needed
 * (detail "signature", limit 1: the hit's call as one line of TypeScript with its output type); a
 * `read_api` of the tool's file when that line names a type instead of writing it out; the task's
 * probe, if it has one (an `execute` looking at a sample of data whose format the types do not
 * show); then one `execute`. Counted: each call as the model emits it and each answer's text as
 * the gateway sends it.
 */
const viaGateway = Effect.fn("bench.tokens.codeMode")(function* (task: Task, env: TaskEnv) {
  const codeMode = yield* CodeMode.CodeMode
  const read: Array<string> = []
  for (const need of task.tools) {
    const [hit] = yield* codeMode.searchTools(need.search, { limit: 1 })
    if (!hit || `${hit.server}/${hit.tool}` !== need.tool) {
      return yield* Effect.die(
        new Error(
          `${task.name}: code-mode search for "${need.search}" found ${hit?.path ?? "nothing"}, not ${need.tool}`
        )
      )
    }
    const args = { query: need.search, detail: "signature", limit: 1 }
    const answer = yield* Gateway.handleCall("search_tools", args)
    read.push(TokenAccount.callText("search_tools", args), text(answer))
    if (namesAType(text(answer))) {
      const file = { path: hit.path }
      read.push(TokenAccount.callText("read_api", file), text(yield* Gateway.handleCall("read_api", file)))
    }
  }
  if (task.probe !== undefined) {
    const probe = { code: task.probe(env) }
    const sample = yield* Gateway.handleCall("execute", probe)
    if (sample.isError) return yield* Effect.die(new Error(`${task.name}: probe failed: ${text(sample)}`))
    read.push(TokenAccount.callText("execute", probe), text(sample))
  }
  const args = { code: task.code(env) }
  const answer = yield* Gateway.handleCall("execute", args)
  if (answer.isError) return yield* Effect.die(new Error(`${task.name}: execute failed: ${text(answer)}`))
  const out = answer.structuredContent as Gateway.ExecuteOutput
  return {
    value: out.value,
    calls: out.calls.reduce((k, c) => k + c.count, 0),
    parts: { read, code: [TokenAccount.callText("execute", args)], returned: [text(answer)] }
  }
})

/** Runs the tasks on the services in context; fails if any way disagrees with another or the truth. */
export const runTasks = Effect.fn("bench.tokens")(function* (
  selected: ReadonlyArray<Task>,
  env: TaskEnv,
  live: ReadonlyArray<string> = livePackages
) {
  const hub = yield* McpHub
  const configured = (yield* hub.catalog()) as ToolCatalog
  const extra = fixtures(live)
  const catalog: TokenAccount.Catalog & ToolCatalog = {
    servers: [
      ...configured.servers,
      ...extra.map((f) => ({ name: f.name, tools: f.tools }))
    ] as ToolCatalog["servers"]
  }
  const index = Search.buildIndexSync(catalog)
  const searchTool = Gateway.tools.find((t) => t.name === "search_tools")! as TokenAccount.ToolDefinition
  const cleanUp = Effect.gen(function* () {
    const graph = (yield* hub.callTool("memory", "read_graph", {})) as { entities: Array<{ name: string }> }
    const ours = graph.entities.map((e) => e.name).filter((n) => n.startsWith(SERVICES_TEAM_PREFIX))
    if (ours.length > 0) yield* hub.callTool("memory", "delete_entities", { entityNames: ours })
  })

  const oneByOne = (task: Task) =>
    Effect.gen(function* () {
      const calls: Array<TokenAccount.ToolCall> = []
      const call: Call = (server, tool, args) =>
        Effect.runPromise(
          hub.callToolResult(server, tool, args).pipe(
            Effect.map((r) => {
              calls.push({ server, tool, input: args, result: modelView(r), isError: r.isError === true })
              if (r.isError) throw new Error(`${server}/${tool}: ${JSON.stringify(r.content)}`)
              return resultValue(r)
            })
          )
        )
      const answer = yield* Effect.promise(() => task.direct(call, env))
      yield* cleanUp
      return { answer, calls }
    })

  const rows: Array<TaskRow> = []
  for (const task of selected) {
    // direct: every definition in context, the calls one by one, every full result read
    const direct = yield* oneByOne(task)
    const many = yield* TokenAccount.account({ catalog, calls: direct.calls, codeMode: noCodeMode })
    const here = yield* TokenAccount.account({
      catalog: configured,
      calls: direct.calls,
      codeMode: noCodeMode
    })

    // tool search: search first, load only what it found, then the same calls
    const found = new Map<string, TokenAccount.ToolRef>()
    const missed: Array<string> = []
    for (const need of task.tools) {
      const hits = yield* Search.search(index, need.search, { limit: 3 })
      for (const h of hits) found.set(`${h.server}/${h.tool}`, { server: h.server, tool: h.tool })
      if (!hits.some((h) => `${h.server}/${h.tool}` === need.tool)) missed.push(need.tool)
    }
    // a tool the search missed would cost the agent another search; load it all the same
    for (const m of missed) {
      const [server, tool] = m.split("/") as [string, string]
      found.set(m, { server, tool })
    }
    const searched = yield* oneByOne(task)
    const searchFigures = yield* TokenAccount.account({
      catalog,
      calls: searched.calls,
      toolSearch: { searched: [...found.values()], searchTool },
      codeMode: noCodeMode
    })

    // code mode: discover each tool through the gateway, write the program, get only its answer back
    const outcome = yield* viaGateway(task, env)
    yield* cleanUp
    const codeFigures = yield* TokenAccount.account({
      catalog,
      calls: [],
      codeMode: { tools: Gateway.tools as ReadonlyArray<TokenAccount.ToolDefinition>, ...outcome.parts }
    })

    const truth = "truth" in task ? (task as CheckedTask).truth(env as ThirdPartyEnv) : undefined
    for (const [way, answer] of [
      ["tool search", searched.answer],
      ["code mode", outcome.value],
      ...("truth" in task ? [["the source of truth", truth] as const] : [])
    ] as const) {
      if (!same(answer, direct.answer)) {
        return yield* Effect.die(
          new Error(
            `${task.name}: ${way} answered ${JSON.stringify(answer)}, direct ${JSON.stringify(direct.answer)}`
          )
        )
      }
    }
    if (outcome.calls !== direct.calls.length) {
      return yield* Effect.die(
        new Error(`${task.name}: code mode made ${outcome.calls} calls, direct ${direct.calls.length}`)
      )
    }
    rows.push({
      task,
      answer: direct.answer,
      checked: "truth" in task,
      calls: direct.calls.length,
      searched: found.size,
      missedBySearch: missed,
      directHere: here.direct,
      direct: many.direct,
      toolSearch: searchFigures.toolSearch,
      codeMode: codeFigures.codeMode
    })
  }
  return { rows, catalog: { live: configured.servers, extra } }
})

const isMain = process.argv[1] !== undefined && import.meta.filename === process.argv[1]

export const thirdPartySetting =
  "server-postgres 0.6.2 on a throwaway PostgreSQL cluster (Debian's package) with 2,000 customers and 20,000 generated orders, @cyanheads/git-mcp-server 2.15.3 on a generated repository of 400 commits, server-redis 2025.4.25 on a throwaway redis-server (Debian's package) with 5,000 keys, server-filesystem (a 12,000-line access log, 400 refund requests) and server-memory. Every answer was also computed from the source of truth and matched."

export const demoSetting =
  "The demo's own metrics and docs servers with server-filesystem, server-memory and server-everything."

/** The third-party suite on throwaway PostgreSQL and redis servers, and what had to be skipped. */
export const thirdPartySuite = async (): Promise<{ suite?: SuiteResult; skipped: Array<string> }> => {
  if (!PgTestCluster.isAvailable())
    return { skipped: ["the third-party tasks need PostgreSQL: apt-get install -y postgresql"] }
  const skipped = Redis.isAvailable()
    ? []
    : ["the redis tasks need redis-server: apt-get install -y redis-server"]
  const pg = await PgTestCluster.start()
  const redis = Redis.isAvailable() ? await Redis.start() : undefined
  const dirs = Servers.makeDirs()
  try {
    seedFiles(dirs.files)
    seedShop(pg.url, dirs.files)
    seedRepo(repoDir(dirs.root))
    if (redis) Redis.seed(redis.port)
    const env: ThirdPartyEnv = {
      files: dirs.files,
      pgUrl: pg.url,
      repo: repoDir(dirs.root),
      redisUrl: redis?.url
    }
    const selected = [...thirdPartyTasks, ...gitTasks, ...(redis ? Redis.redisTasks : [])]
    const { rows, catalog } = await Effect.runPromise(
      runTasks(selected, env, thirdPartyPackages).pipe(
        Effect.provide(thirdPartyStack(dirs, pg.url, redis?.url))
      )
    )
    return {
      suite: { title: "Third-party servers", setting: thirdPartySetting, rows, catalog, medianBefore: 1200 },
      skipped
    }
  } finally {
    redis?.stop()
    pg.stop()
    // the generated repository, files and workspace of this run
    rmSync(dirs.root, { recursive: true, force: true })
  }
}

if (isMain) {
  NodeFlags.relaunchForIsolates()
  const started = performance.now()
  const third = await thirdPartySuite()
  const dirs = Servers.makeDirs()
  seedFiles(dirs.files)
  const demo = await Effect.runPromise(
    runTasks(tasks, { files: dirs.files }).pipe(Effect.provide(Stack.layer(dirs)))
  )
  const suites: Array<SuiteResult> = [
    ...(third.suite ? [third.suite] : []),
    { title: "The demo's servers", setting: demoSetting, ...demo, medianBefore: 1131 }
  ]
  const text = markdown(suites, performance.now() - started, third.skipped)
  const out = join(import.meta.dirname, "..", "..", "..", "bench", "tokens.md")
  writeFileSync(out, text)
  console.log(text)
  console.log(`written to ${out}`)
  process.exit(0)
}
