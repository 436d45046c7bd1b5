import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Observability, TokenAccount } from "../src/index.ts"
import { calls, catalog, codeMode, input } from "./tokenFixture.ts"

const c = TokenAccount.count

describe("TokenAccount", () => {
  it("counts with o200k_base and never rejects special-token text", () => {
    expect(TokenAccount.encoding).toBe("o200k_base")
    expect(c("hello world")).toBe(2)
    expect(c("<|endoftext|>")).toBeGreaterThan(1) // counted as plain text
    expect(c("")).toBe(0)
  })

  it.effect("direct = every definition + calls + full results, summed from the data", () =>
    Effect.gen(function* () {
      const figures = yield* TokenAccount.account(input)
      const definitions = catalog.servers
        .flatMap((s) => s.tools.map((t) => c(TokenAccount.definitionText(t, `${s.name}__${t.name}`))))
        .reduce((a, b) => a + b, 0)
      const callTokens = calls
        .map((call) => c(JSON.stringify({ name: `${call.server}__${call.tool}`, input: call.input })))
        .reduce((a, b) => a + b, 0)
      const resultTokens = calls
        .map((call) => c((call.result as { content: Array<{ text: string }> }).content[0]?.text ?? ""))
        .reduce((a, b) => a + b, 0)
      expect(figures.direct).toEqual({
        definitions,
        calls: callTokens,
        results: resultTokens,
        read: 0,
        code: 0,
        returned: 0,
        total: definitions + callTokens + resultTokens
      })
      // tool search loads only the two called tools' definitions
      const searched = ["list_directory", "read_text_file"]
        .map((name) => {
          const tool = catalog.servers[0]?.tools.find((t) => t.name === name)
          return tool ? c(TokenAccount.definitionText(tool, `filesystem__${name}`)) : 0
        })
        .reduce((a, b) => a + b, 0)
      expect(figures.toolSearch.definitions).toBe(searched)
      expect(figures.toolSearch.total).toBe(searched + callTokens + resultTokens)
      // code mode never sees the big result, only what the code returned
      expect(figures.codeMode.results).toBe(0)
      expect(figures.codeMode.returned).toBe(c(JSON.stringify(codeMode.returned[0])))
      expect(figures.codeMode.code).toBe(c(codeMode.code[0] ?? ""))
      expect(figures.codeMode.total).toBeLessThan(figures.toolSearch.total)
      expect(figures.toolSearch.total).toBeLessThan(figures.direct.total)
      expect(figures.savedVsDirect).toBeCloseTo(
        ((figures.direct.total - figures.codeMode.total) / figures.direct.total) * 100,
        1
      )
    })
  )

  it.effect("follows the data: a bigger result or another server change the right figures only", () =>
    Effect.gen(function* () {
      const base = yield* TokenAccount.account(input)
      const extraTool = {
        name: "fetch",
        description: "Fetch a URL and return its body as markdown.",
        inputSchema: { type: "object", properties: { url: { type: "string" } } }
      }
      const moreServers = yield* TokenAccount.account({
        ...input,
        catalog: { servers: [...catalog.servers, { name: "web", tools: [extraTool] }] }
      })
      expect(moreServers.direct.total - base.direct.total).toBe(
        c(TokenAccount.definitionText(extraTool, "web__fetch"))
      )
      expect(moreServers.toolSearch.total).toBe(base.toolSearch.total)
      expect(moreServers.codeMode.total).toBe(base.codeMode.total)

      const doubled = calls.map((call) => ({
        ...call,
        result: `${TokenAccount.resultText(call.result)}\n${TokenAccount.resultText(call.result)}`
      }))
      const bigger = yield* TokenAccount.account({ ...input, calls: doubled })
      expect(bigger.direct.results).toBeGreaterThan(base.direct.results * 1.9)
      expect(bigger.codeMode.total).toBe(base.codeMode.total)
    })
  )

  it.effect("counts a result once: as its text, not text + structuredContent", () =>
    Effect.gen(function* () {
      const data = { rows: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `row ${i}` })) }
      const text = JSON.stringify(data)
      const withBoth = { content: [{ type: "text", text }], structuredContent: data }
      expect(TokenAccount.resultText(withBoth)).toBe(text)
      expect(TokenAccount.resultText({ content: [], structuredContent: data })).toBe(text)
      const call = { server: "memory", tool: "search_nodes", input: {} }
      const both = yield* TokenAccount.account({ ...input, calls: [{ ...call, result: withBoth }] })
      const textOnly = yield* TokenAccount.account({
        ...input,
        calls: [{ ...call, result: { content: [{ type: "text", text }] } }]
      })
      expect(both.direct.results).toBe(textOnly.direct.results)
      expect(both.direct.results).toBe(c(text))
    })
  )

  it.effect("explicit searched definitions and a search tool definition are counted", () =>
    Effect.gen(function* () {
      const searchTool = { name: "tool_search", description: "Find tools", inputSchema: { type: "object" } }
      const figures = yield* TokenAccount.account({
        ...input,
        toolSearch: { searched: [{ server: "memory", tool: "search_nodes" }], searchTool }
      })
      const memoryTool = catalog.servers[1]?.tools[0]
      expect(figures.toolSearch.definitions).toBe(
        c(TokenAccount.definitionText(memoryTool ?? searchTool, "memory__search_nodes")) +
          c(TokenAccount.definitionText(searchTool))
      )
    })
  )

  it.effect("a call to a tool outside the catalog is a typed error naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        TokenAccount.account({
          ...input,
          calls: [...calls, { server: "filesystem", tool: "rm_rf", input: {}, result: "" }]
        })
      )
      expect(error._tag).toBe("TokenAccountError")
      expect(error.field).toBe("calls[2]")
      expect(error.message).toContain('"rm_rf"')
      expect(error.message).toContain('"filesystem"')
      const bad = yield* Effect.flip(
        TokenAccount.account({
          ...input,
          catalog: { servers: [{ name: "x", tools: [{ name: "t" } as never] }] }
        })
      )
      expect(bad.field).toBe("catalog.servers[0].tools[0]")
    })
  )

  it.live("records the figures as metrics per mode", () =>
    Effect.gen(function* () {
      const figures = yield* TokenAccount.account(input)
      yield* TokenAccount.record(figures, { "tta.run": "t1" })
      const points = (yield* Observability.metrics).filter((p) => p.attributes["tta.run"] === "t1")
      const byMode = Object.fromEntries(
        points.filter((p) => p.name === "tta.tokens").map((p) => [p.attributes["tta.token.mode"], p.value])
      )
      expect(byMode).toEqual({
        direct: figures.direct.total,
        tool_search: figures.toolSearch.total,
        code_mode: figures.codeMode.total
      })
      expect(points.find((p) => p.name === "tta.tokens")?.attributes["tta.token.encoding"]).toBe("o200k_base")
      expect(points.find((p) => p.name === "tta.tokens.saved_percent")?.value).toBe(figures.savedVsDirect)
      // the account itself is traced
      const spans = yield* Observability.spans
      expect(spans.some((s) => s.name === "TokenAccount.account")).toBe(true)
    }).pipe(Effect.provide(Observability.memory()))
  )

  it.effect("renders the direct / tool search / code mode / saved % table with the tokenizer note", () =>
    Effect.gen(function* () {
      const figures = yield* TokenAccount.account(input)
      const text = TokenAccount.table([{ label: "triage", figures }])
      const lines = text.split("\n")
      expect(lines[0]).toBe("| run | direct | tool search | code mode | saved % |")
      expect(lines[2]).toBe(
        `| triage | ${figures.direct.total.toLocaleString("en-US")} | ${figures.toolSearch.total.toLocaleString("en-US")} | ${figures.codeMode.total.toLocaleString("en-US")} | ${figures.savedVsDirect.toFixed(1)}% |`
      )
      expect(text).toContain("gpt-tokenizer (o200k_base)")
      expect(text).toContain(TokenAccount.directNote)
    })
  )
})
