// The gateway's tool table and server runtime, against a recording CodeMode: each input schema is
// derived from its one Effect Schema (so what a client is told is what is decoded), requests run in
// the caller's context (its tracer sees them), and a session that cannot be built leaves no scope open.
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { type CallToolResult, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { Observability, TokenAccount } from "@tta/observability"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { describe, expect, it } from "vitest"
import * as GatewayServer from "../src/gateway/Server.ts"
import { CodeMode, Gateway } from "../src/index.ts"

const recording = () => {
  const searches: Array<unknown> = []
  const service: CodeMode.CodeMode["Service"] = {
    searchTools: (query, options) =>
      Effect.sync(() => {
        searches.push({ query, ...options })
        return []
      }),
    readApi: (path) => Effect.succeed(`// ${path}`),
    execute: () =>
      Effect.succeed({
        value: 42,
        logs: [],
        toolCalls: [],
        durationMs: 1,
        truncated: false,
        tokens: undefined as never
      }),
    saveSkill: (input) =>
      Effect.succeed({ name: input.name, description: "", version: 1, tags: [], runs: 0, failures: 0 }),
    listSkills: () => Effect.succeed([]),
    tokenAccount: () => Effect.die("not used"),
    toolCalls: () => Effect.succeed([])
  }
  return { searches, layer: Layer.succeed(CodeMode.CodeMode, service) }
}

const call = (name: string, args: unknown) => {
  const { searches, layer } = recording()
  return Effect.runPromise(Gateway.handleCall(name, args).pipe(Effect.provide(layer))).then((result) => ({
    result,
    searches
  }))
}

describe("gateway tool table", () => {
  it("derives each input schema from the tool's Effect Schema, with titles and annotations", () => {
    const search = Gateway.tools.find((t) => t.name === "search_tools")!
    expect(search.inputSchema.properties?.limit).toEqual({ type: "integer", minimum: 1, maximum: 50 })
    expect(search.inputSchema.required).toEqual(["query"])
    for (const tool of Gateway.tools) {
      expect(tool.title, tool.name).toBeTruthy()
      expect(tool.annotations?.readOnlyHint, tool.name).toBeTypeOf("boolean")
      expect(tool.annotations?.openWorldHint, tool.name).toBeTypeOf("boolean")
    }
    expect(Gateway.tools.find((t) => t.name === "execute")!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true
    })
  })

  it("costs a model at most 300 o200k tokens: the five tools as a model API receives them", () => {
    // name, description and input_schema of each tool, as TokenAccount prices a definition (issue 17).
    const tokens = Gateway.tools.map((t) => TokenAccount.count(TokenAccount.definitionText(t)))
    expect(tokens).toHaveLength(5)
    expect(tokens.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300)
    // What a JSON Schema means by default is left out; what the decoder checks is kept.
    for (const tool of Gateway.tools)
      expect(tool.inputSchema, tool.name).not.toHaveProperty("additionalProperties")
  })

  it("decodes limit as its JSON Schema says: an integer 1–50, 0 refused rather than dropped", async () => {
    for (const limit of [0, 51, 2.5]) {
      const { result, searches } = await call("search_tools", { query: "x", limit })
      expect(result.isError, String(limit)).toBe(true)
      expect((result.content[0] as { text: string }).text).toContain("Invalid arguments for search_tools")
      expect(searches).toEqual([])
    }
    const { result, searches } = await call("search_tools", { query: "x", limit: 1 })
    expect(result.isError).toBeUndefined()
    expect(searches).toEqual([{ query: "x", limit: 1 }])
  })

  it("answers an unknown tool with the tools it offers", async () => {
    const { result } = await call("run_everything", {})
    expect(result.isError).toBe(true)
    expect((result.content[0] as { text: string }).text).toContain("This gateway offers: search_tools")
  })
})

/** The HTTP gateway on `layer` plus an in-memory tracer, open until `close`. */
const serve = async (layer: Layer.Layer<CodeMode.CodeMode>, options: Gateway.HttpOptions = {}) => {
  const runtime = ManagedRuntime.make(Layer.mergeAll(layer, Observability.memory("gateway-test")))
  const scope = await runtime.runPromise(Scope.make())
  const gateway = await runtime.runPromise(Scope.provide(Gateway.serveHttp({ port: 0, ...options }), scope))
  const close = async () => {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  }
  return { runtime, gateway, close }
}

describe("gateway runtime", () => {
  it("drops a closed session's tasks: no task timer outlives it", async () => {
    const run: GatewayServer.Run = async () =>
      Exit.succeed({ content: [{ type: "text", text: "done" }] }) as never
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
    const server = GatewayServer.make(run)
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: "t", version: "1" })
    await client.connect(clientSide)
    const before = timers()
    await client.request(
      { method: "tools/call", params: { name: "execute", arguments: { code: "1" }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema
    )
    // The task is kept for its TTL while the session lives...
    expect(timers()).toBe(before + 1)
    await client.close()
    // ...and not a moment longer once it has closed (it kept a process alive for 10 minutes).
    expect(timers()).toBe(before)
  })

  it("runs requests in the caller's context: its tracer records them", async () => {
    const { runtime, gateway, close } = await serve(recording().layer)
    const client = new Client({ name: "t", version: "1" })
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)))
    const result = (await client.callTool({ name: "execute", arguments: { code: "1" } })) as CallToolResult
    expect(result.structuredContent).toMatchObject({ value: 42 })
    await client.close()
    const spans = await runtime.runPromise(Effect.andThen(Observability.flush, Observability.spans))
    expect(spans.map((s) => s.name)).toContain("gateway.call")
    await close()
  })

  it("closes a session's scope when its CodeMode cannot be built, and keeps serving", async () => {
    const finalized: Array<string> = []
    const { gateway, close } = await serve(recording().layer, {
      perSession: (id) =>
        Effect.andThen(
          Effect.addFinalizer(() => Effect.sync(() => finalized.push(id))),
          Effect.fail("no session today")
        )
    })
    const client = new Client({ name: "t", version: "1" })
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)))).rejects.toThrow(
      /Cannot start a code-mode session/
    )
    expect(finalized).toHaveLength(1)
    expect(gateway.sessions()).toBe(0)
    await close()
  })
})
