/**
 * A session's token account (o200k_base), off the hot path and complete.
 *
 * - Off the path: nothing is counted while requests are answered. Each execution and each
 *   discovery call leaves a job; jobs are counted when figures are asked for, and an execution's
 *   own figures when first read (early only to bound what waiting jobs hold; see `make`).
 * - Complete: code mode's side holds the gateway's definitions, every gateway call the session made
 *   (search_tools, read_api, list_skills, save_skill) with its answer, the code, and each execute
 *   answer as the client receives it. A result is counted once, as its text.
 * - Running counts, not results: a long-lived session does not hold every result it saw (at most
 *   `pendingText` characters of them, then the oldest are counted).
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

/** When the account counts what it holds (see {@link make}). */
export interface Options {
  /** Text (UTF-16 code units of results' text blocks) held uncounted before the oldest is counted. Default 32 MB. */
  readonly pendingText?: number
  /** Jobs held uncounted before the oldest is counted. Default 1,000. */
  readonly pendingJobs?: number
}

/** Characters of text a call's result holds (what its job keeps alive until counted). */
const textHeld = (result: unknown) => {
  const content = (result as { content?: unknown } | null)?.content
  if (!Array.isArray(content)) return 0
  let n = 0
  for (const part of content) if (typeof part?.text === "string") n += part.text.length
  return n
}

/**
 * The account. Nothing is counted while requests are answered, nor after: each execution and
 * discovery call leaves a job, and jobs are counted when figures are asked for (`figures`, or an
 * execution's `tokens`). Counting after each answer (the earlier design) still landed on the
 * session's next request: a 1 MB result's o200k count is ~2.5x the run that reduced it. Only
 * to bound what the held jobs keep alive (their results) are the oldest counted early, one per
 * macrotask, once more than `pendingText` characters or `pendingJobs` jobs wait.
 */
export const make = Effect.fnUntraced(function* (options: Options = {}) {
  const maxText = options.pendingText ?? 32 * 1024 * 1024
  const maxJobs = options.pendingJobs ?? 1_000
  const records: Array<ToolCallRecord> = []
  const tools = new Set<string>()
  const counts = { calls: 0, results: 0, gatewayCalls: 0, read: 0, code: 0, returned: 0 }

  const pending: Array<{ readonly run: () => void; readonly text: number }> = []
  let held = 0
  let scheduled: ReturnType<typeof setImmediate> | undefined
  const runOldest = () => {
    const job = pending.shift()
    if (job === undefined) return
    held -= job.text
    job.run()
  }
  const over = () => held > maxText || pending.length > maxJobs
  const step = () => {
    scheduled = undefined
    runOldest()
    if (over()) scheduled = setImmediate(step)
  }
  const enqueue = (run: () => void, text = 0) => {
    pending.push({ run, text })
    held += text
    if (over()) scheduled ??= setImmediate(step)
  }
  const drain = () => {
    while (pending.length > 0) runOldest()
  }
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      if (scheduled !== undefined) clearImmediate(scheduled)
      pending.length = 0
      held = 0
    })
  )

  /**
   * A gateway call other than execute (search_tools, read_api, list_skills, save_skill) and its
   * answer (as a function: formatted only when the job runs).
   */
  const gatewayCall = (tool: string, args: unknown, response: CallToolResult | (() => CallToolResult)) =>
    enqueue(() => {
      counts.gatewayCalls += TokenAccount.count(TokenAccount.callText(tool, args))
      counts.read += answered(typeof response === "function" ? response() : response)
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
    }, textHeld(result))

  /**
   * One execution: its calls, its code and the answer the client receives. Returns its own figures,
   * counted on first use (and once: the session's job reuses them). The answer may be given as a
   * function: it is then formatted only when counted, never on the execution's own path.
   */
  const execution = (input: {
    readonly catalog: ToolCatalog
    readonly calls: ReadonlyArray<FullCall>
    readonly code: string
    readonly response: CallToolResult | (() => CallToolResult)
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
            returned: answered(typeof input.response === "function" ? input.response() : input.response)
          }
        })
      }
      return own
    }
    enqueue(
      () => {
        const { figures, tools: used } = count()
        for (const t of used) tools.add(t)
        counts.calls += figures.direct.calls
        counts.results += figures.direct.results
        counts.code += figures.codeMode.code
        counts.returned += figures.codeMode.returned
      },
      input.calls.reduce((n, c) => n + textHeld(c.result), input.code.length)
    )
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
