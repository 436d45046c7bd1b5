/**
 * What the same work costs a model's context in tokens, three ways:
 * - direct: every tool definition of every connected server, every call, every full result;
 * - tool search: only the definitions found by searching, every call, every full result;
 * - code mode: the gateway's few tool definitions, the API files and search results read,
 *   the code written, and only what the code returned.
 * All counted from the run's real data with gpt-tokenizer's o200k_base encoding when it is
 * installed, else estimated (see Tokenizer.ts; `Tokenizer.note()` says which).
 */
import { Effect, Metric, Schema } from "effect"
import * as Tokenizer from "./Tokenizer.ts"

/** The one tokenizer every published figure uses. */
export const encoding = "o200k_base" as const

/** Said beside figures counted with the tokenizer; `Tokenizer.note()` also covers estimates. */
export const tokenizerNote = "Tokens counted with gpt-tokenizer (o200k_base)."

/**
 * Say this wherever a direct figure is shown: it prices the calls the code made, which can be more
 * than an efficient direct agent would make (one that aggregates in SQL instead of fetching rows).
 */
export const directNote =
  "Direct prices the calls the code made; an efficient direct agent may make fewer (it would aggregate where code fetched and joined)."

/** The MCP `Tool` shape (as in the tool catalog of @tta/mcp). */
export interface ToolDefinition {
  readonly name: string
  readonly title?: string | undefined
  readonly description?: string | undefined
  readonly inputSchema: object
  readonly outputSchema?: object | undefined
  readonly annotations?: object | undefined
}

export interface Catalog {
  readonly servers: ReadonlyArray<{ readonly name: string; readonly tools: ReadonlyArray<ToolDefinition> }>
}

/** One tool call of the run, with its full result (an MCP `CallToolResult` or plain data). */
export interface ToolCall {
  readonly server: string
  readonly tool: string
  readonly input: unknown
  readonly result: unknown
  readonly isError?: boolean | undefined
  readonly durationMs?: number | undefined
}

export interface ToolRef {
  readonly server: string
  readonly tool: string
}

export interface Input {
  /** Every connected server's tools. */
  readonly catalog: Catalog
  /** Every tool call the work needed (in code mode they ran inside the code). */
  readonly calls: ReadonlyArray<ToolCall>
  readonly toolSearch?:
    | {
        /** Definitions the search surfaced; default: the distinct tools called. */
        readonly searched?: ReadonlyArray<ToolRef> | undefined
        /** The search tool's own definition, if the approach has one. */
        readonly searchTool?: ToolDefinition | undefined
      }
    | undefined
  readonly codeMode: {
    /** The gateway's tool definitions (e.g. search_tools, read_api, execute). */
    readonly tools: ReadonlyArray<ToolDefinition>
    /** API files and search results the agent read. */
    readonly read: ReadonlyArray<string>
    /** The code the agent wrote (one entry per execution). */
    readonly code: ReadonlyArray<string>
    /** What the code returned or printed, back to the model. */
    readonly returned: ReadonlyArray<unknown>
  }
}

export interface Breakdown {
  readonly definitions: number
  readonly calls: number
  readonly results: number
  readonly read: number
  readonly code: number
  readonly returned: number
  readonly total: number
}

export interface Figures {
  /** `o200k_base`, or `estimate` when gpt-tokenizer is not installed (see Tokenizer.ts). */
  readonly encoding: Tokenizer.Kind
  readonly direct: Breakdown
  readonly toolSearch: Breakdown
  readonly codeMode: Breakdown
  /** Percentage of direct tokens code mode saves (negative if it costs more). */
  readonly savedVsDirect: number
  /** Percentage of tool-search tokens code mode saves. */
  readonly savedVsToolSearch: number
}

export class TokenAccountError extends Schema.TaggedError<TokenAccountError>()("TokenAccountError", {
  field: Schema.String,
  message: Schema.String
}) {}

/** Tokens in a text (o200k_base; an estimate without gpt-tokenizer, see Tokenizer.ts). */
export const count = Tokenizer.count

const json = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value) ?? "null")

/** A definition as a model API receives it (`name`, `description`, `input_schema`). */
export const definitionText = (definition: ToolDefinition, name = definition.name): string =>
  JSON.stringify({
    name,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    input_schema: definition.inputSchema
  })

/**
 * Name of a downstream tool in a direct setup: servers' tools share one namespace, so
 * clients prefix the server (`server__tool`).
 */
export const directName = (server: string, tool: string): string => `${server}__${tool}`

/** A call as the model emits it (a tool_use block). */
export const callText = (name: string, input: unknown): string => JSON.stringify({ name, input: input ?? {} })

/**
 * The content a result puts in context: the content blocks of an MCP `CallToolResult` (text as
 * its text), else the data. A result is counted once: its `structuredContent` (the same data again,
 * by the spec) only when there is no content to count.
 */
export const resultText = (result: unknown): string => {
  if (
    typeof result === "object" &&
    result !== null &&
    Array.isArray((result as { content?: unknown }).content)
  ) {
    const parts = (result as { content: ReadonlyArray<unknown> }).content.map((part) =>
      typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text"
        ? String((part as { text?: unknown }).text ?? "")
        : json(part)
    )
    const structured = (result as { structuredContent?: unknown }).structuredContent
    return parts.length === 0 && structured !== undefined ? json(structured) : parts.join("\n")
  }
  return json(result)
}

const sum = (values: Iterable<number>) => {
  let total = 0
  for (const v of values) total += v
  return total
}

const breakdown = (parts: Parts): Breakdown => ({
  ...parts,
  total: parts.definitions + parts.calls + parts.results + parts.read + parts.code + parts.returned
})

const saved = (from: number, to: number) => (from === 0 ? 0 : Math.round(((from - to) / from) * 1000) / 10)

/** A breakdown before its total. */
export type Parts = Omit<Breakdown, "total">

/**
 * The three figures from their parts: the one place totals and savings are worked out, for a
 * single run (`account`) and for running counts kept elsewhere (a code-mode session's ledger).
 */
export const figures = (parts: {
  readonly direct: Parts
  readonly toolSearch: Parts
  readonly codeMode: Parts
}): Figures => {
  const direct = breakdown(parts.direct)
  const toolSearch = breakdown(parts.toolSearch)
  const codeMode = breakdown(parts.codeMode)
  return {
    encoding: Tokenizer.kind(),
    direct,
    toolSearch,
    codeMode,
    savedVsDirect: saved(direct.total, codeMode.total),
    savedVsToolSearch: saved(toolSearch.total, codeMode.total)
  }
}

const fail = (field: string, message: string) => Effect.fail(new TokenAccountError({ field, message }))

const validate = Effect.fnUntraced(function* (input: Input) {
  if (!input || !Array.isArray(input.catalog?.servers)) {
    return yield* fail("catalog.servers", "TokenAccount: catalog.servers must be an array of servers")
  }
  const tools = new Map<string, ToolDefinition>()
  for (const [i, server] of input.catalog.servers.entries()) {
    if (typeof server?.name !== "string" || !Array.isArray(server.tools)) {
      return yield* fail(
        `catalog.servers[${i}]`,
        "TokenAccount: a server needs a string name and a tools array"
      )
    }
    for (const [j, tool] of server.tools.entries()) {
      if (
        typeof tool?.name !== "string" ||
        typeof tool.inputSchema !== "object" ||
        tool.inputSchema === null
      ) {
        return yield* fail(
          `catalog.servers[${i}].tools[${j}]`,
          `TokenAccount: tool ${j} of server "${server.name}" needs a string name and an inputSchema object`
        )
      }
      tools.set(`${server.name}/${tool.name}`, tool)
    }
  }
  const known = (field: string, ref: ToolRef) =>
    tools.has(`${ref.server}/${ref.tool}`)
      ? Effect.void
      : fail(
          field,
          `TokenAccount: ${field} names tool "${ref.tool}" of server "${ref.server}", which is not in the catalog`
        )
  if (!Array.isArray(input.calls)) return yield* fail("calls", "TokenAccount: calls must be an array")
  for (const [i, call] of input.calls.entries()) yield* known(`calls[${i}]`, call)
  const searched = input.toolSearch?.searched
  if (searched !== undefined) {
    for (const [i, ref] of searched.entries()) yield* known(`toolSearch.searched[${i}]`, ref)
  }
  const codeMode = input.codeMode
  for (const key of ["tools", "read", "code", "returned"] as const) {
    if (!Array.isArray(codeMode?.[key]))
      return yield* fail(`codeMode.${key}`, `TokenAccount: codeMode.${key} must be an array`)
  }
  return tools
})

/** Counts the three figures from the run's real definitions, calls and results. */
export const account = Effect.fn("TokenAccount.account")(function* (input: Input) {
  const tools = yield* validate(input)
  const calls = sum(
    input.calls.map((call) => count(callText(directName(call.server, call.tool), call.input)))
  )
  const results = sum(input.calls.map((call) => count(resultText(call.result))))

  const allDefinitions = sum(
    input.catalog.servers.flatMap((server) =>
      server.tools.map((tool) => count(definitionText(tool, directName(server.name, tool.name))))
    )
  )
  const direct = { definitions: allDefinitions, calls, results, read: 0, code: 0, returned: 0 }

  const searchedRefs = input.toolSearch?.searched ?? input.calls
  const distinct = new Map(searchedRefs.map((ref) => [`${ref.server}/${ref.tool}`, ref]))
  const searchTool = input.toolSearch?.searchTool
  const searchedDefinitions =
    sum(
      [...distinct.values()].map((ref) => {
        const tool = tools.get(`${ref.server}/${ref.tool}`) as ToolDefinition
        return count(definitionText(tool, directName(ref.server, ref.tool)))
      })
    ) + (searchTool ? count(definitionText(searchTool)) : 0)
  const toolSearch = { definitions: searchedDefinitions, calls, results, read: 0, code: 0, returned: 0 }

  const codeMode = {
    definitions: sum(input.codeMode.tools.map((tool) => count(definitionText(tool)))),
    calls: 0,
    results: 0,
    read: sum(input.codeMode.read.map(count)),
    code: sum(input.codeMode.code.map(count)),
    returned: sum(input.codeMode.returned.map((value) => count(json(value))))
  }
  return figures({ direct, toolSearch, codeMode })
})

/** Tokens per way of working (`tta.token.mode` = direct | tool_search | code_mode), o200k_base. */
export const tokensMetric = Metric.counter("tta.tokens", {
  description: "Context tokens the run costs each way of working (gpt-tokenizer o200k_base)",
  incremental: true
})

/** Percentage of direct tokens code mode saved in the last run recorded. */
export const savedMetric = Metric.gauge("tta.tokens.saved_percent", {
  description: "Percentage of direct-mode tokens code mode saved (gpt-tokenizer o200k_base)"
})

/** Adds the figures to the `tta.tokens` counters and sets the `tta.tokens.saved_percent` gauge. */
export const record = (
  figures: Figures,
  attributes: Readonly<Record<string, string>> = {}
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const base = { ...attributes, "tta.token.encoding": figures.encoding }
    const modes = [
      ["direct", figures.direct.total],
      ["tool_search", figures.toolSearch.total],
      ["code_mode", figures.codeMode.total]
    ] as const
    for (const [mode, total] of modes) {
      yield* Metric.update(Metric.withAttributes(tokensMetric, { ...base, "tta.token.mode": mode }), total)
    }
    yield* Metric.update(Metric.withAttributes(savedMetric, base), figures.savedVsDirect)
  })

const number = (n: number) => n.toLocaleString("en-US")

/**
 * A Markdown table `| run | direct | tool search | code mode | saved % |`, one row per run,
 * followed by the tokenizer note.
 */
export const table = (
  rows: ReadonlyArray<{ readonly label: string; readonly figures: Figures }> | Figures
): string => {
  const list = Array.isArray(rows) ? rows : [{ label: "run", figures: rows as Figures }]
  const lines = [
    "| run | direct | tool search | code mode | saved % |",
    "|---|---:|---:|---:|---:|",
    ...list.map(
      ({ label, figures }) =>
        `| ${label} | ${number(figures.direct.total)} | ${number(figures.toolSearch.total)} | ${number(figures.codeMode.total)} | ${figures.savedVsDirect.toFixed(1)}% |`
    )
  ]
  return `${lines.join("\n")}\n\n${Tokenizer.note()} saved % = code mode vs direct. ${directNote}`
}
