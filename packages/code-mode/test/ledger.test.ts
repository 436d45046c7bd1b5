// The session's token account is off the hot path (an execution is answered before anything is
// counted; counting happens after, once) and complete (each figure from what was really sent).
import { describe, expect, it } from "@effect/vitest"
import type { ToolCatalog } from "@tta/codegen"
import { TokenAccount } from "@tta/observability"
import { Effect } from "effect"
import * as Ledger from "../src/Ledger.ts"

const catalog = {
  servers: [
    {
      name: "db",
      tools: [{ name: "query", description: "Run SQL", inputSchema: { type: "object" } }]
    }
  ]
} as unknown as ToolCatalog

const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `row ${i}` }))
const text = JSON.stringify(rows)
const call: Ledger.FullCall = {
  server: "db",
  tool: "query",
  input: { sql: "select * from t" },
  // As a server sends it: the same data as text and as structuredContent.
  result: { content: [{ type: "text", text }], structuredContent: { rows } },
  record: { server: "db", tool: "query", ok: true, outcome: "ok", durationMs: 3 }
}
const nextMacrotask = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

describe("Ledger", () => {
  it.effect(
    "counts nothing while an execution is answered nor after; counts it when asked, once, as text",
    () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger.make()
        const response = { content: [{ type: "text" as const, text: "value: 2000" }] }
        const tokens = ledger.execution({ catalog, calls: [call], code: "export default 1", response })
        expect(ledger.pending()).toBe(1)
        // Nor after: the next request of the session must not pay for it either.
        yield* nextMacrotask
        expect(ledger.pending()).toBe(1)
        const own = tokens()
        expect(own.direct.results).toBe(TokenAccount.count(text))
        expect(own.codeMode.returned).toBe(TokenAccount.count("value: 2000"))
        const session = ledger.figures(catalog)
        expect(session.direct.results).toBe(own.direct.results)
        expect(session.codeMode.code).toBe(TokenAccount.count("export default 1"))
      })
  )

  it.effect("formats an answer given as a function only when it is counted, once", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger.make()
      let formatted = 0
      const response = () => {
        formatted++
        return { content: [{ type: "text" as const, text: "value: 2000" }] }
      }
      const tokens = ledger.execution({ catalog, calls: [call], code: "export default 1", response })
      ledger.gatewayCall("search_tools", { query: "sql" }, response)
      // The execution's own path: nothing formatted, nothing counted.
      expect(formatted).toBe(0)
      expect(tokens().codeMode.returned).toBe(TokenAccount.count("value: 2000"))
      expect(formatted).toBe(1)
      ledger.figures(catalog)
      expect(ledger.pending()).toBe(0)
      expect(formatted).toBe(2)
    })
  )

  it.effect("counts the oldest jobs early only when they hold more text than allowed", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger.make({ pendingText: 2 * (text.length + 1) })
      const response = { content: [{ type: "text" as const, text: "ok" }] }
      for (let i = 0; i < 2; i++) ledger.execution({ catalog, calls: [call], code: "1", response })
      yield* nextMacrotask
      expect(ledger.pending()).toBe(2)
      ledger.execution({ catalog, calls: [call], code: "1", response })
      // Over the bound: the oldest is counted in a later macrotask (not on this path), until under it.
      expect(ledger.pending()).toBe(3)
      yield* nextMacrotask
      expect(ledger.pending()).toBe(2)
      yield* nextMacrotask
      expect(ledger.pending()).toBe(2)
      expect(ledger.figures(catalog).direct.results).toBe(3 * TokenAccount.count(text))
    })
  )

  it.effect("counts what is still waiting when figures are asked for", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger.make()
      ledger.gatewayCall(
        "read_api",
        { path: "servers/db/index.ts" },
        { content: [{ type: "text", text: "abc" }] }
      )
      expect(ledger.pending()).toBe(1)
      const figures = ledger.figures(catalog)
      expect(ledger.pending()).toBe(0)
      expect(figures.codeMode.read).toBe(TokenAccount.count("abc"))
      expect(figures.codeMode.calls).toBe(
        TokenAccount.count(TokenAccount.callText("read_api", { path: "servers/db/index.ts" }))
      )
    })
  )

  it.effect("prices a direct tool's call the same on both sides, its result once as text", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger.make()
      const before = ledger.figures(catalog)
      ledger.directCall("db", "query", "query", { sql: "select 1" }, call.result as never)
      const after = ledger.figures(catalog)
      expect(after.direct.results - before.direct.results).toBe(TokenAccount.count(text))
      expect(after.codeMode.read - before.codeMode.read).toBe(TokenAccount.count(text))
      expect(after.direct.calls - before.direct.calls).toBe(
        TokenAccount.count(TokenAccount.callText("db__query", { sql: "select 1" }))
      )
      expect(after.codeMode.calls - before.codeMode.calls).toBe(
        TokenAccount.count(TokenAccount.callText("query", { sql: "select 1" }))
      )
    })
  )
})
