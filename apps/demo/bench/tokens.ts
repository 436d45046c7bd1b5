/**
 * The token benchmark (`pnpm bench:tokens`): every task of bench/tasks.ts done three ways on the
 * real servers, each way checked to give the same answer, each way's context counted with
 * TokenAccount (gpt-tokenizer, o200k_base) from the run's real definitions, calls and results.
 *
 *   direct       every definition of every connected server plus the captured catalogs of
 *                widely used MCP servers (fixtures/catalogs), every call, every full result
 *   tool search  the definitions a search surfaced (top 3 per query, plus any needed tool it
 *                missed) and the search tool's own definition, every call, every full result
 *   code mode    the gateway's 5 tool definitions, the API files read (search_tools, full source
 *                of the one tool per query), the code, and what the code returned
 *
 * Run: node apps/demo/bench/tokens.ts   (writes bench/tokens.md at the repo root)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { CodeMode, Gateway } from "@tta/code-mode"
import { Search, type ToolCatalog } from "@tta/codegen"
import { NodeFlags, Servers, Stack } from "@tta/demo"
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import { Effect } from "effect"
import { type Call, SERVICES_TEAM_PREFIX, seedFiles, type Task, tasks } from "./tasks.ts"

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
  readonly calls: number
  readonly searched: number
  readonly missedBySearch: ReadonlyArray<string>
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

const resultValue = (r: CallToolResult): unknown => {
  if (r.structuredContent !== undefined) return r.structuredContent
  const text = r.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n")
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Runs the tasks on the services in context; fails if any way disagrees with another. */
export const runTasks = Effect.fn("bench.tokens")(function* (
  selected: ReadonlyArray<Task>,
  env: { readonly files: string }
) {
  const hub = yield* McpHub
  const codeMode = yield* CodeMode.CodeMode
  const live = (yield* hub.catalog()) as ToolCatalog
  const extra = fixtures(livePackages)
  const catalog: TokenAccount.Catalog & ToolCatalog = {
    servers: [
      ...live.servers,
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
    const directFigures = yield* TokenAccount.account({
      catalog,
      calls: direct.calls,
      codeMode: { tools: [], read: [], code: [], returned: [] }
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
      codeMode: { tools: [], read: [], code: [], returned: [] }
    })

    // code mode: find each tool's file, read it, write the program, get only its answer back
    const read: Array<string> = []
    for (const need of task.tools) {
      const [hit] = yield* codeMode.searchTools(need.search, { detail: "full", limit: 1 })
      if (!hit || `${hit.server}/${hit.tool}` !== need.tool) {
        return yield* Effect.die(
          new Error(
            `${task.name}: code-mode search for "${need.search}" found ${hit?.path ?? "nothing"}, not ${need.tool}`
          )
        )
      }
      read.push(`// ${hit.path}\n${hit.source ?? ""}`)
    }
    const code = task.code(env)
    const outcome = yield* codeMode.execute(code)
    yield* cleanUp
    const codeFigures = yield* TokenAccount.account({
      catalog,
      calls: [],
      codeMode: {
        tools: Gateway.tools as ReadonlyArray<TokenAccount.ToolDefinition>,
        read,
        code: [code],
        returned: [outcome.value, ...outcome.logs.map((l) => l.message)]
      }
    })

    for (const [way, answer] of [
      ["tool search", searched.answer],
      ["code mode", outcome.value]
    ] as const) {
      if (
        !isDeepStrictEqual(
          JSON.parse(JSON.stringify(answer ?? null)),
          JSON.parse(JSON.stringify(direct.answer ?? null))
        )
      ) {
        return yield* Effect.die(
          new Error(
            `${task.name}: ${way} answered ${JSON.stringify(answer)}, direct ${JSON.stringify(direct.answer)}`
          )
        )
      }
    }
    if (outcome.toolCalls.length !== direct.calls.length) {
      return yield* Effect.die(
        new Error(
          `${task.name}: code mode made ${outcome.toolCalls.length} calls, direct ${direct.calls.length}`
        )
      )
    }
    rows.push({
      task,
      answer: direct.answer,
      calls: direct.calls.length,
      searched: found.size,
      missedBySearch: missed,
      direct: directFigures.direct,
      toolSearch: searchFigures.toolSearch,
      codeMode: codeFigures.codeMode
    })
  }
  return { rows, catalog: { live: live.servers, extra } }
})

const pct = (from: number, to: number) => (from === 0 ? 0 : ((from - to) / from) * 100)
const n = (x: number) => x.toLocaleString("en-US")

export const markdown = (
  rows: ReadonlyArray<TaskRow>,
  catalog: { live: ToolCatalog["servers"]; extra: ReadonlyArray<Fixture> },
  ms: number
): string => {
  const sum = (f: (r: TaskRow) => number) => rows.reduce((k, r) => k + f(r), 0)
  const total = {
    direct: sum((r) => r.direct.total),
    toolSearch: sum((r) => r.toolSearch.total),
    codeMode: sum((r) => r.codeMode.total)
  }
  const liveTools = catalog.live.reduce((k, s) => k + s.tools.length, 0)
  const extraTools = catalog.extra.reduce((k, s) => k + s.tools.length, 0)
  const defs = rows[0]?.direct.definitions ?? 0
  return [
    "# Token benchmark: direct vs tool search vs code mode",
    "",
    `Measured by \`pnpm bench:tokens\` (\`node apps/demo/bench/tokens.ts\`) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.versions.node}, in ${(ms / 1000).toFixed(1)} s.`,
    `Every task ran three ways on the real servers (metrics, docs, filesystem, memory, everything over stdio) and all three gave the same answer.`,
    "Tokens counted with gpt-tokenizer (o200k_base) from the run's real tool definitions, calls and results.",
    "",
    "| task | kind | calls | direct | tool search | code mode | saved vs direct | saved vs tool search |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.task.name} | ${r.task.kind} | ${r.calls} | ${n(r.direct.total)} | ${n(r.toolSearch.total)} | ${n(r.codeMode.total)} | ${pct(r.direct.total, r.codeMode.total).toFixed(1)}% | ${pct(r.toolSearch.total, r.codeMode.total).toFixed(1)}% |`
    ),
    `| **total** | ${rows.length} tasks | ${sum((r) => r.calls)} | **${n(total.direct)}** | **${n(total.toolSearch)}** | **${n(total.codeMode)}** | **${pct(total.direct, total.codeMode).toFixed(2)}%** | **${pct(total.toolSearch, total.codeMode).toFixed(2)}%** |`,
    "",
    "## Where the tokens go",
    "",
    "| task | direct: definitions / calls / results | tool search: definitions (tools loaded) | code mode: definitions / read / code / returned |",
    "|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.task.name} | ${n(r.direct.definitions)} / ${n(r.direct.calls)} / ${n(r.direct.results)} | ${n(r.toolSearch.definitions)} (${r.searched}${r.missedBySearch.length ? `, ${r.missedBySearch.length} missed by the search` : ""}) | ${n(r.codeMode.definitions)} / ${n(r.codeMode.read)} / ${n(r.codeMode.code)} / ${n(r.codeMode.returned)} |`
    ),
    "",
    "## How it is counted",
    "",
    `- **Direct**: the definitions of all ${liveTools} tools of the 5 live servers and ${extraTools} tools of ${catalog.extra.length} widely used MCP servers captured from their real \`tools/list\` (${defs.toLocaleString("en-US")} tokens, counted once per task as \`{ name: "server__tool", description, input_schema }\`), every call as a \`tool_use\`, and every full result as the text the server sent. Where a server also sends \`structuredContent\`, only its text copy is counted, so the figure is not doubled. An agent loop re-sends the definitions on every turn; counting them once per task understates direct.`,
    "- **Tool search**: the same calls and results, but only the definitions a BM25 search over the same catalog surfaced (top 3 per query, one query per tool the task needs; a needed tool the search missed is loaded anyway) plus the search tool's own definition. The search queries and their tool references are not counted (in its favour).",
    '- **Code mode**: the gateway\'s 5 tool definitions, the API files read (`search_tools` with `detail: "full"`, limit 1, one query per tool needed), the program, and what it returned (including console output). The tool calls and their results stay in the sandbox.',
    "- Each way's answer is compared with the direct answer (deep equality) and code mode must make the same number of calls; the run fails otherwise.",
    "",
    "## Tasks",
    "",
    ...rows.map(
      (r) => `- **${r.task.name}**: ${r.task.question} Answer: \`${JSON.stringify(r.answer).slice(0, 160)}\``
    ),
    "",
    "## Captured catalogs counted in direct",
    "",
    "| server | package | version | tools |",
    "|---|---|---|---:|",
    ...catalog.extra.map((f) => `| ${f.name} | \`${f.package}\` | ${f.version} | ${f.tools.length} |`),
    ""
  ].join("\n")
}

const isMain = process.argv[1] !== undefined && import.meta.filename === process.argv[1]

if (isMain) {
  NodeFlags.relaunchForIsolates()
  const dirs = Servers.makeDirs()
  seedFiles(dirs.files)
  const started = performance.now()
  const { rows, catalog } = await Effect.runPromise(
    runTasks(tasks, { files: dirs.files }).pipe(Effect.provide(Stack.layer(dirs)))
  )
  const text = markdown(rows, catalog, performance.now() - started)
  const out = join(import.meta.dirname, "..", "..", "..", "bench", "tokens.md")
  writeFileSync(out, text)
  console.log(text)
  console.log(`written to ${out}`)
  process.exit(0)
}
