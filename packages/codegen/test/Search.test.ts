import { readdirSync } from "node:fs"
import { join } from "node:path"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import type { Catalog, Tool } from "../src/Catalog.ts"
import { InvalidCatalog, InvalidSearchOptions } from "../src/Errors.ts"
import { buildIndexSync, search, searchTools } from "../src/Search.ts"
import { generateSync } from "../src/Tree.ts"
import { fixture } from "./helpers/typecheck.ts"

const catalog: Catalog = {
  servers: readdirSync(join(import.meta.dirname, "fixtures"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => fixture<{ server: string; tools: ReadonlyArray<Tool> }>(f))
    .map((f) => ({ name: f.server, tools: f.tools }))
}
const top = (query: string, limit = 3) =>
  searchTools(catalog, query, { limit }).map((r) => `${r.server}/${r.tool}`)

describe("searchTools", () => {
  it("ranks by tool names, descriptions and parameter names", () => {
    expect(top("post message", 1)).toEqual(["slack/slack_post_message"])
    // Several servers take screenshots; any of them answers.
    expect(top("take a screenshot", 1)[0]).toMatch(/screenshot/)
    expect(top("sql", 1)).toEqual(["postgres/query"])
    expect(top("merge pull request", 1)).toEqual(["github/merge_pull_request"])
    // Several tools match; the top ones all come from the server whose names say it.
    expect(top("geocode", 2).every((t) => t.startsWith("google-maps/"))).toBe(true)
    // A parameter name alone finds the tools that take it.
    const byParam = searchTools(catalog, "channel_id", { limit: 20 }).map((r) => r.tool)
    expect(byParam).toContain("slack_post_message")
    expect(byParam).toContain("slack_get_channel_history")
    // Typos and prefixes still match.
    expect(top("screensh", 1)[0]).toMatch(/screenshot/)
    expect(top("clik", 1)[0]).toMatch(/click/)
  })

  it("orders equal scores by server then tool name, whatever the catalog order", () => {
    const twin = (name: string): Tool => ({
      name,
      description: "Create an issue",
      inputSchema: { type: "object" }
    })
    const a: Catalog = {
      servers: [
        { name: "zeta", tools: [twin("create_issue")] },
        { name: "alpha", tools: [twin("create_issue")] },
        { name: "mid", tools: [twin("create_issue")] }
      ]
    }
    const b: Catalog = { servers: [...a.servers].reverse() }
    const ra = searchTools(a, "create issue")
    expect(ra.map((r) => r.server)).toEqual(["alpha", "mid", "zeta"])
    expect(new Set(ra.map((r) => r.score)).size).toBe(1)
    expect(searchTools(b, "create issue")).toEqual(ra)
    // The same query twice gives the same answer.
    expect(searchTools(catalog, "list")).toEqual(searchTools(catalog, "list"))
  })

  it("returns more with each level of detail; full is the tool file from the tree", () => {
    const [name] = searchTools(catalog, "create issue", { detail: "name", limit: 1 })
    expect(name).toEqual({
      server: "github",
      tool: "create_issue",
      name: "createIssue",
      path: "servers/github/createIssue.ts",
      importPath: "servers/github/index.ts",
      score: expect.any(Number)
    })
    const [described] = searchTools(catalog, "create issue", { detail: "description", limit: 1 })
    expect(described?.description).toBe("Create a new issue in a GitHub repository")
    expect(described?.source).toBeUndefined()
    const [full] = searchTools(catalog, "create issue", { detail: "full", limit: 1 })
    expect(full?.source).toBe(generateSync(catalog)["servers/github/createIssue.ts"])
  })

  it("honours limit, lists everything for an empty query, and reuses a prebuilt index", () => {
    expect(searchTools(catalog, "list", { limit: 2 })).toHaveLength(2)
    const all = searchTools(catalog, "  ", { limit: 1000 })
    expect(all).toHaveLength(catalog.servers.reduce((n, s) => n + s.tools.length, 0))
    expect(all[0]).toMatchObject({ server: "brave-search", score: 0 })
    const index = buildIndexSync(catalog)
    expect(searchTools(index, "navigate back", { detail: "full" })).toEqual(
      searchTools(catalog, "navigate back", { detail: "full" })
    )
    expect(searchTools(catalog, "zzzzqqqq")).toEqual([])
  })

  it.effect("rejects bad options and bad catalogs with tagged errors", () =>
    Effect.gen(function* () {
      const limit = yield* Effect.flip(search(catalog, "x", { limit: 0 }))
      expect(limit).toBeInstanceOf(InvalidSearchOptions)
      expect(limit.message).toBe("limit: expected a positive integer, got 0")
      const detail = yield* Effect.flip(search(catalog, "x", { detail: "everything" as "full" }))
      expect(detail.message).toMatch(/^detail: expected "name", "signature", "description" or "full"/)
      const bad = yield* Effect.flip(search({ servers: [{ name: 3 }] } as unknown as Catalog, "x"))
      expect(bad).toBeInstanceOf(InvalidCatalog)
      expect(bad.message).toBe("catalog.servers[0].name: expected a non-empty string, got number 3")
      expect(() => searchTools(catalog, "x", { limit: 1.5 })).toThrow(InvalidSearchOptions)
      const ok = yield* search(catalog, "navigate", { limit: 1 })
      expect(ok[0]?.tool).toBe("browser_navigate")
    })
  )

  it("finds a tool from a query that describes the job in other words", () => {
    const catalog: Catalog = {
      servers: [
        {
          name: "github",
          tools: [
            {
              name: "create_issue",
              description: "Create a new issue in a GitHub repository",
              inputSchema: { type: "object" }
            },
            {
              name: "add_issue_comment",
              description: "Add a comment to an existing issue",
              inputSchema: { type: "object" }
            },
            {
              name: "list_commits",
              description: "Get list of commits of a branch",
              inputSchema: { type: "object" }
            }
          ]
        },
        {
          name: "browser",
          tools: [
            {
              name: "take_screenshot",
              description: "Take a screenshot of the page or element",
              inputSchema: { type: "object" }
            },
            {
              name: "take_snapshot",
              description: "Take a text snapshot of the page's accessibility tree",
              inputSchema: { type: "object" }
            }
          ]
        }
      ]
    }
    expect(searchTools(catalog, "open a ticket")[0]?.tool).toBe("create_issue")
    expect(searchTools(catalog, "screenshots")[0]?.tool).toBe("take_screenshot")
    // A typo still finds the tool, through the fuzzy fallback.
    expect(searchTools(catalog, "screnshot")[0]?.tool).toBe("take_screenshot")
  })

  it("gives the call as one line of TypeScript at detail 'signature'", () => {
    const catalog: Catalog = {
      servers: [
        {
          name: "fs",
          tools: [
            {
              name: "read_file",
              description: "Read a file",
              inputSchema: {
                type: "object",
                properties: { path: { type: "string", description: "Where" } },
                required: ["path"]
              },
              outputSchema: {
                type: "object",
                properties: { content: { type: "string" } },
                required: ["content"]
              }
            }
          ]
        }
      ]
    }
    const [hit] = searchTools(catalog, "read file", { detail: "signature" })
    expect(hit?.signature).toBe("readFile(input: { path: string }): Promise<{ content: string }>")
    expect(hit?.description).toBeUndefined()
  })

  it("inlines a type of a dozen fields in the signature and names only a very long one", () => {
    const fields = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`filterField${i}`, { type: "string" }]))
    const tool = (name: string, n: number): Tool => ({
      name,
      description: "Show the history",
      inputSchema: { type: "object", properties: fields(n) }
    })
    const catalog: Catalog = { servers: [{ name: "git", tools: [tool("log", 13), tool("huge_log", 60)] }] }
    const [log] = searchTools(catalog, "log", { detail: "signature" })
    // A named type would send the agent to read the whole file (its doc comments too).
    expect(log?.signature).toMatch(/^log\(input\?: \{ filterField0\?: string .* filterField12\?: string \}\)/)
    const [huge] = searchTools(catalog, "huge log", { detail: "signature" })
    expect(huge?.signature).toBe("hugeLog(input?: HugeLogInput): Promise<unknown>")
  })
})
