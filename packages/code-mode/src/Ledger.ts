/**
 * A session's token account: running counts (o200k_base) of what the session's work costs each way
 * of working, kept as counts rather than the results themselves, so a long-lived gateway session
 * does not hold every result it ever saw. Totals and savings come from `TokenAccount.figures`.
 */
import type { ToolCatalog } from "@tta/codegen"
import { TokenAccount } from "@tta/observability"
import { Effect } from "effect"
import { CodeModeError, type ToolCallRecord } from "./CodeMode.ts"
import * as Tools from "./gateway/Tools.ts"

/** A tool call made from the code, with its full result (for counting) and its record (for the agent). */
export interface FullCall extends TokenAccount.ToolCall {
  readonly record: ToolCallRecord
}

const inCatalog = (catalog: ToolCatalog) => {
  const known = new Set(catalog.servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)))
  return (ref: TokenAccount.ToolRef) => known.has(`${ref.server}/${ref.tool}`)
}

const accountError = (e: { readonly message: string }) =>
  new CodeModeError({ operation: "token account", message: e.message })

export const make = () => {
  const tools = new Map<string, TokenAccount.ToolRef>()
  const records: Array<ToolCallRecord> = []
  const counts = { calls: 0, results: 0, read: 0, code: 0, returned: 0 }

  /** Text the agent read: search results, API files, skill lists. */
  const read = (text: string) => {
    counts.read += TokenAccount.count(text)
  }

  const record = (call: ToolCallRecord) => {
    records.push(call)
  }

  /** One execution's account; its counts are added to the session's. */
  const absorb = (
    catalog: ToolCatalog,
    calls: ReadonlyArray<FullCall>,
    code: string,
    returned: ReadonlyArray<unknown>
  ) =>
    Effect.gen(function* () {
      // Denied calls never reached a server, so no approach would have paid for them.
      const paid = calls.filter((c) => c.record.outcome !== "denied").filter(inCatalog(catalog))
      const figures = yield* TokenAccount.account({
        catalog,
        calls: paid,
        codeMode: { tools: Tools.tools, read: [], code: [code], returned }
      })
      for (const c of paid) tools.set(`${c.server}/${c.tool}`, { server: c.server, tool: c.tool })
      counts.calls += figures.direct.calls
      counts.results += figures.direct.results
      counts.code += figures.codeMode.code
      counts.returned += figures.codeMode.returned
      return figures
    }).pipe(Effect.mapError(accountError))

  /** The whole session so far: definitions as each approach carries them, everything else counted. */
  const figures = (catalog: ToolCatalog) =>
    Effect.gen(function* () {
      const base = yield* TokenAccount.account({
        catalog,
        calls: [...tools.values()]
          .filter(inCatalog(catalog))
          .map((ref) => ({ ...ref, input: {}, result: "" })),
        codeMode: { tools: Tools.tools, read: [], code: [], returned: [] }
      })
      const work = { calls: counts.calls, results: counts.results, read: 0, code: 0, returned: 0 }
      return TokenAccount.figures({
        direct: { definitions: base.direct.definitions, ...work },
        toolSearch: { definitions: base.toolSearch.definitions, ...work },
        codeMode: {
          definitions: base.codeMode.definitions,
          calls: 0,
          results: 0,
          read: counts.read,
          code: counts.code,
          returned: counts.returned
        }
      })
    }).pipe(Effect.mapError(accountError))

  return { read, record, absorb, figures, records: (): ReadonlyArray<ToolCallRecord> => [...records] }
}

export type Ledger = ReturnType<typeof make>
