import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, posix } from "node:path"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import type { Catalog, Tool } from "../src/Catalog.ts"
import { InvalidCatalog } from "../src/Errors.ts"
import { generate, generateSync } from "../src/Tree.ts"
import { features } from "./helpers/features.ts"
import { fixture } from "./helpers/typecheck.ts"

const github = fixture<{ tools: ReadonlyArray<Tool> }>("github.json")
const slack = fixture<{ tools: ReadonlyArray<Tool> }>("slack.json")
const catalog: Catalog = {
  servers: [
    { name: "github", tools: github.tools },
    { name: "slack", tools: slack.tools }
  ]
}

describe("Tree.generate", () => {
  it("is deterministic byte for byte, whatever the order of servers and tools", () => {
    const a = JSON.stringify(generateSync(catalog))
    expect(JSON.stringify(generateSync(catalog))).toBe(a)
    expect(JSON.stringify(generateSync(JSON.parse(JSON.stringify(catalog))))).toBe(a)
    const shuffled: Catalog = {
      servers: [...catalog.servers].reverse().map((s) => ({ name: s.name, tools: [...s.tools].reverse() }))
    }
    expect(JSON.stringify(generateSync(shuffled))).toBe(a)
    const f = JSON.stringify(generateSync(features))
    expect(JSON.stringify(generateSync(features))).toBe(f)
  })

  it("lays out runtime, root index, server indexes and one file per tool", () => {
    const tree = generateSync(catalog)
    const paths = Object.keys(tree)
    expect(paths).toEqual([...paths].sort())
    expect(paths).toContain("servers/_runtime.ts")
    expect(paths).toContain("servers/index.ts")
    expect(paths).toContain("servers/github/index.ts")
    expect(paths).toContain("servers/slack/index.ts")
    expect(paths).toHaveLength(2 + 2 + github.tools.length + slack.tools.length)
    expect(tree["servers/github/createIssue.ts"]).toContain(
      `export async function createIssue(input: CreateIssueInput): Promise<CreateIssueOutput> {`
    )
    expect(tree["servers/github/createIssue.ts"]).toContain(
      `import { callTool as $callTool } from "../_runtime.ts"`
    )
  })

  it("writes the runtime contract: the global host and callTool", () => {
    const runtime = generateSync(catalog)["servers/_runtime.ts"]!
    expect(runtime).toContain("declare const host: ToolHost")
    expect(runtime).toContain(
      "export async function callTool<T>(server: string, tool: string, input: unknown): Promise<T>"
    )
    expect(runtime).toContain("host.callTool(server, tool, input)")
  })

  it("lists each tool with its one-line description, and each server with its tool count", () => {
    const tree = generateSync(catalog)
    const index = tree["servers/slack/index.ts"]!
    expect(index).toContain(`// MCP server "slack": ${slack.tools.length} tools.`)
    expect(index).toContain("// slackPostMessage: Post a new message to a Slack channel\n")
    expect(index.match(/^export \{/gm)).toHaveLength(slack.tools.length)
    const root = tree["servers/index.ts"]!
    expect(root).toContain(
      `// github (servers/github/index.ts): MCP server "github", ${github.tools.length} tools`
    )
    expect(root).toContain(`export * as slack from "./slack/index.ts"`)
  })

  it("only uses relative imports with .ts extensions that resolve inside the tree", () => {
    let seen = 0
    for (const tree of [generateSync(catalog), generateSync(features)]) {
      for (const [path, source] of Object.entries(tree)) {
        for (const m of source.matchAll(/^(?:import|export)\b[^\n]* from "([^"]+)"/gm)) {
          const spec = m[1]!
          seen++
          expect(spec).toMatch(/^\.\.?\/.*\.ts$/)
          expect(
            tree[posix.normalize(posix.join(posix.dirname(path), spec))],
            `${path} → ${spec}`
          ).toBeDefined()
        }
      }
    }
    expect(seen).toBeGreaterThan(github.tools.length + slack.tools.length)
  })

  it("turns descriptions into JSDoc that cannot end the comment early", () => {
    const tree = generateSync(features)
    const maps = tree["servers/schema-features/maps.ts"]!
    expect(maps).toContain("ends a comment *\\/ and\n   * continues")
    expect(maps).toContain(`"weird key"?: string`)
    expect(tree["servers/schema-features/unsupported.ts"]).toContain(
      `external?: unknown /* external $ref "https://example.com/schema.json" is not resolved */`
    )
  })

  it("names servers with dots and spaces, reserved words, collisions and a tool named index", () => {
    const tree = generateSync(features)
    expect(
      Object.keys(tree)
        .filter((p) => p.startsWith("servers/names-v2-server"))
        .sort()
    ).toEqual([
      "servers/names-v2-server/index.ts",
      "servers/names-v2-server/ping.ts",
      "servers/names-v2-server_2/_2fa.ts",
      "servers/names-v2-server_2/callTool.ts",
      "servers/names-v2-server_2/delete_.ts",
      "servers/names-v2-server_2/index.ts",
      "servers/names-v2-server_2/index_.ts",
      "servers/names-v2-server_2/listDirectory.ts",
      "servers/names-v2-server_2/listDirectory_2.ts",
      "servers/names-v2-server_2/listDirectory_3.ts",
      "servers/names-v2-server_2/promise.ts",
      "servers/names-v2-server_2/tool.ts"
    ])
    expect(tree["servers/names-v2-server_2/listDirectory_2.ts"]).toContain(`"list-directory", input`)
    expect(tree["servers/index.ts"]).toContain(
      `export * as namesV2Server_2 from "./names-v2-server_2/index.ts"`
    )
  })

  it.effect("rejects a malformed catalog with InvalidCatalog naming the field", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string, RegExp]> = [
        [null, "catalog", /expected an object with a `servers` array, got null/],
        [{ servers: {} }, "catalog.servers", /expected an array, got an object/],
        [{ servers: [{ name: "", tools: [] }] }, "catalog.servers[0].name", /non-empty string, got ""/],
        [
          { servers: [{ name: "gh", tools: [{ name: "x", inputSchema: "nope" }] }] },
          "catalog.servers[0].tools[0].inputSchema",
          /JSON Schema object \(server "gh", tool "x"\), got "nope"/
        ],
        [
          {
            servers: [
              {
                name: "gh",
                tools: [
                  { name: "x", inputSchema: {} },
                  { name: "x", inputSchema: {} }
                ]
              }
            ]
          },
          "catalog.servers[0].tools[1].name",
          /tool "x" appears twice on server "gh"/
        ],
        [
          {
            servers: [
              { name: "gh", tools: [] },
              { name: "gh", tools: [] }
            ]
          },
          "catalog.servers[1].name",
          /server "gh" appears twice/
        ]
      ]
      for (const [bad, path, message] of cases) {
        const error = yield* Effect.flip(generate(bad as Catalog))
        expect(error).toBeInstanceOf(InvalidCatalog)
        expect(error._tag).toBe("InvalidCatalog")
        expect(error.path).toBe(path)
        expect(error.message).toMatch(message)
      }
      expect(() => generateSync({ servers: [{ name: "a", tools: [7] }] } as unknown as Catalog)).toThrow(
        /catalog\.servers\[0\]\.tools\[0\]: expected an object \(server "a"\), got number 7/
      )
      const tree = yield* generate(catalog)
      expect(tree["servers/_runtime.ts"]).toBeDefined()
    })
  )

  it("runs under Node's type stripping and calls host.callTool with the original names", async () => {
    const tree = generateSync(features)
    const dir = mkdtempSync(join(tmpdir(), "tta-codegen-run-"))
    try {
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
      for (const [path, source] of Object.entries(tree)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true })
        writeFileSync(join(dir, path), source)
      }
      writeFileSync(
        join(dir, "main.ts"),
        `globalThis.host = { callTool: async (server, tool, input) => ({ server, tool, input }) }
const { schemaFeatures, namesV2Server_2 } = await import("./servers/index.ts")
const calls = [
  await schemaFeatures.treeNodes({ root: { value: "x" } }),
  await namesV2Server_2.index_(),
  await namesV2Server_2.listDirectory_2({ a: 1 })
]
console.log(JSON.stringify(calls))
`
      )
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(dir, "main.ts")], { cwd: dir }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)
        )
      )
      expect(JSON.parse(stdout)).toEqual([
        { server: "schema features", tool: "tree_nodes", input: { root: { value: "x" } } },
        { server: "names.v2 server", tool: "index", input: {} },
        { server: "names.v2 server", tool: "list-directory", input: { a: 1 } }
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
