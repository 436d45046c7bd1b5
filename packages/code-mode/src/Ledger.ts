/**
 * A session's token account (o200k_base), off the hot path and complete.
 *
 * - Off the path: nothing is counted while a request is answered. Each execution and each
 *   discovery call leaves a job; jobs run one per macrotask after the answer has gone out (or at
 *   once when figures are asked for), and an execution's own figures are counted when first read.
 * - Complete: code mode's side holds the gateway's definitions, every gateway call the session made
 *   (search_tools, read_api, list_skills, save_skill) with its answer, the code, and each execute
 *   answer as the client receives it. A result is counted once, as its text.
 * - Running counts, not results: a long-lived session does not hold every result it saw.
 *
 * Totals and savings are assembled by `TokenAccount.figures`, the one place that does it.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { ToolCatalog } from "@tta/codegen"
import { TokenAccount } from "@tta/observability"
import { Effect } from "effect"
import type { ToolCallRecord } from "./CodeMode.ts"
import * as Tools from "./gateway/Tools.ts"

/** A tool call made from the code, with its full result (for counting) and its record (for the agent). */
export interface FullCall extends TokenAccount.ToolCall {
  readonly record: ToolCallRecord
}

interface Definitions {
  /** Every tool of every server, as a direct setup carries them. */
  readonly all: number
  readonly byTool: ReadonlyMap<string, number>
}

const definitionsCache = new WeakMap<ToolCatalog, Definitions>()

/** Definition tokens of a catalog, counted once per catalog. */
const definitionsOf = (catalog: ToolCatalog): Definitions => {
  const cached = definitionsCache.get(catalog)
  if (cached) return cached
  const byTool = new Map<string, number>()
  let all = 0
  for (const server of catalog.servers) {
    for (const tool of server.tools) {
      const n = TokenAccount.count(
        TokenAccount.definitionText(tool, TokenAccount.directName(server.name, tool.name))
      )
      byTool.set(`${server.name}/${tool.name}`, n)
      all += n
    }
  }
  const fresh = { all, byTool }
  definitionsCache.set(catalog, fresh)
  return fresh
}

let gatewayDefinitions: number | undefined
const gatewayDefinitionTokens = () => {
  gatewayDefinitions ??= Tools.tools.reduce(
    (n, tool) => n + TokenAccount.count(TokenAccount.definitionText(tool)),
    0
  )
  return gatewayDefinitions
}

/** Direct-side counts of one execution's calls; denied calls and unknown tools never cost anything. */
const directWork = (catalog: ToolCatalog, calls: ReadonlyArray<FullCall>) => {
  const { byTool } = definitionsOf(catalog)
  const paid = calls.filter((c) => c.record.outcome !== "denied" && byTool.has(`${c.server}/${c.tool}`))
  let callTokens = 0
  let results = 0
  for (const c of paid) {
    callTokens += TokenAccount.count(
      TokenAccount.callText(TokenAccount.directName(c.server, c.tool), c.input)
    )
    results += TokenAccount.count(TokenAccount.resultText(c.result))
  }
  return { tools: new Set(paid.map((c) => `${c.server}/${c.tool}`)), calls: callTokens, results }
}

const searched = (catalog: ToolCatalog, tools: Iterable<string>) => {
  const { byTool } = definitionsOf(catalog)
  let n = 0
  for (const key of tools) n += byTool.get(key) ?? 0
  return n
}

/** What the client received: its content blocks (text as text), counted once. */
const answered = (response: CallToolResult) => TokenAccount.count(TokenAccount.resultText(response))

export const make = Effect.fnUntraced(function* () {
  const records: Array<ToolCallRecord> = []
  const tools = new Set<string>()
  const counts = { calls: 0, results: 0, gatewayCalls: 0, read: 0, code: 0, returned: 0 }

  // Jobs waiting to be counted; one runs per macrotask, so counting never holds up an answer.
  const pending: Array<() => void> = []
  let scheduled: ReturnType<typeof setImmediate> | undefined
  const step = () => {
    scheduled = undefined
    pending.shift()?.()
    if (pending.length > 0) scheduled = setImmediate(step)
  }
  const enqueue = (job: () => void) => {
    pending.push(job)
    scheduled ??= setImmediate(step)
  }
  const drain = () => {
    while (pending.length > 0) pending.shift()?.()
  }
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      if (scheduled !== undefined) clearImmediate(scheduled)
      pending.length = 0
    })
  )

  /** A gateway call other than execute (search_tools, read_api, list_skills, save_skill) and its answer. */
  const gatewayCall = (tool: string, args: unknown, response: CallToolResult) =>
    enqueue(() => {
      counts.gatewayCalls += TokenAccount.count(TokenAccount.callText(tool, args))
      counts.read += answered(response)
    })

  /**
   * A direct tool's call (passed through, so its result reaches the model whole): the same cost on
   * both sides — the call and the result on the direct side, and in code mode's calls and reads.
   */
  const directCall = (server: string, tool: string, name: string, args: unknown, result: CallToolResult) =>
    enqueue(() => {
      const resultTokens = answered(result)
      counts.calls += TokenAccount.count(TokenAccount.callText(TokenAccount.directName(server, tool), args))
      counts.results += resultTokens
      counts.gatewayCalls += TokenAccount.count(TokenAccount.callText(name, args))
      counts.read += resultTokens
      tools.add(`${server}/${tool}`)
    })

  /**
   * One execution: its calls, its code and the answer the client receives. Returns its own figures,
   * counted on first use (and once: the session's job reuses them).
   */
  const execution = (input: {
    readonly catalog: ToolCatalog
    readonly calls: ReadonlyArray<FullCall>
    readonly code: string
    readonly response: CallToolResult
  }) => {
    let own: { figures: TokenAccount.Figures; tools: ReadonlySet<string> } | undefined
    const count = () => {
      if (own) return own
      const work = directWork(input.catalog, input.calls)
      const direct = { calls: work.calls, results: work.results, read: 0, code: 0, returned: 0 }
      own = {
        tools: work.tools,
        figures: TokenAccount.figures({
          direct: { definitions: definitionsOf(input.catalog).all, ...direct },
          toolSearch: { definitions: searched(input.catalog, work.tools), ...direct },
          codeMode: {
            definitions: gatewayDefinitionTokens(),
            calls: 0,
            results: 0,
            read: 0,
            code: TokenAccount.count(input.code),
            returned: answered(input.response)
          }
        })
      }
      return own
    }
    enqueue(() => {
      const { figures, tools: used } = count()
      for (const t of used) tools.add(t)
      counts.calls += figures.direct.calls
      counts.results += figures.direct.results
      counts.code += figures.codeMode.code
      counts.returned += figures.codeMode.returned
    })
    return () => count().figures
  }

  /** The whole session so far (counts whatever is still waiting first). */
  const figures = (catalog: ToolCatalog): TokenAccount.Figures => {
    drain()
    const work = { calls: counts.calls, results: counts.results, read: 0, code: 0, returned: 0 }
    return TokenAccount.figures({
      direct: { definitions: definitionsOf(catalog).all, ...work },
      toolSearch: { definitions: searched(catalog, tools), ...work },
      codeMode: {
        definitions: gatewayDefinitionTokens(),
        calls: counts.gatewayCalls,
        results: 0,
        read: counts.read,
        code: counts.code,
        returned: counts.returned
      }
    })
  }

  return {
    record: (call: ToolCallRecord) => {
      records.push(call)
    },
    gatewayCall,
    directCall,
    execution,
    figures,
    /** Jobs not counted yet. */
    pending: () => pending.length,
    records: (): ReadonlyArray<ToolCallRecord> => [...records]
  }
})

export type Ledger = Effect.Success<ReturnType<typeof make>>
