// Everything a downstream server offers reaches the gateway's client (issue 16), against the real
// server-everything: resources and templates, prompts, completions, the log level, progress, direct
// tools passed through unchanged under policy, content blocks from code, and the unknown-tool error.
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema
} from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeMode, Gateway } from "../src/index.ts"
import { startGateway } from "./support.ts"

let gw: Awaited<ReturnType<typeof startGateway>>
beforeAll(async () => {
  gw = await startGateway({
    direct: [
      "everything/echo",
      "everything/get-tiny-image",
      "everything/trigger-long-running-operation",
      "memory/delete_*"
    ],
    policy: { deny: ["memory/delete_*"] }
  })
}, 60_000)
afterAll(async () => {
  await gw?.close()
})

describe("MCP surface through the gateway (server-everything)", () => {
  it("answers an unknown tool with JSON-RPC -32602 naming the tools it offers", async () => {
    const error = await gw.client.callTool({ name: "run_everything", arguments: {} }).catch((e) => e)
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams)
    expect((error as McpError).message).toContain("This gateway offers")
  })

  it("lists and reads the servers' resources and templates", async () => {
    const { resources } = await gw.client.listResources()
    const doc = resources.find((r) => r.uri === "demo://resource/static/document/architecture.md")
    expect(doc).toMatchObject({ mimeType: "text/markdown" })
    const read = await gw.client.readResource({ uri: doc!.uri })
    expect(read.contents[0]).toMatchObject({ uri: doc!.uri, mimeType: "text/markdown" })
    expect((read.contents[0] as { text: string }).text.length).toBeGreaterThan(0)
    const { resourceTemplates } = await gw.client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("demo://resource/dynamic/blob/{resourceId}")
    // A URI made from a template, which no listing named, is read from the server that has it.
    const blob = await gw.client.readResource({ uri: "demo://resource/dynamic/blob/7" })
    expect(blob.contents[0]).toMatchObject({ uri: "demo://resource/dynamic/blob/7" })
    expect((blob.contents[0] as { blob?: string }).blob).toBeTypeOf("string")
  })

  it("lists prompts, gets one with arguments, and completes a prompt argument", async () => {
    const { prompts } = await gw.client.listPrompts()
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["simple-prompt", "args-prompt"]))
    const got = await gw.client.getPrompt({ name: "args-prompt", arguments: { city: "Lisbon" } })
    expect(JSON.stringify(got.messages)).toContain("Lisbon")
    const completion = await gw.client.complete({
      ref: { type: "ref/prompt", name: "completable-prompt" },
      argument: { name: "department", value: "En" }
    })
    expect(completion.completion.values).toEqual(["Engineering"])
  })

  it("honours logging/setLevel", async () => {
    await expect(gw.client.setLoggingLevel("warning")).resolves.toBeDefined()
  })

  it("offers direct tools beside its own, passed through unchanged, still under policy", async () => {
    const { tools } = await gw.client.listTools()
    const names = tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["execute", "echo", "get-tiny-image", "delete_entities"]))
    for (const tool of tools)
      expect(tool.title ?? tool.annotations?.title ?? tool.name, tool.name).toBeTruthy()
    const echo = (await gw.client.callTool({ name: "echo", arguments: { message: "hi" } })) as CallToolResult
    expect(echo.content).toEqual([{ type: "text", text: "Echo: hi" }])
    const image = (await gw.client.callTool({ name: "get-tiny-image", arguments: {} })) as CallToolResult
    expect(image.content.some((c) => c.type === "image" && c.mimeType === "image/png")).toBe(true)
    const denied = (await gw.client.callTool({
      name: "delete_entities",
      arguments: { entityNames: ["x"] }
    })) as CallToolResult
    expect(denied.isError).toBe(true)
    expect(JSON.stringify(denied.content)).toContain("denied by policy")
  })

  it("forwards a direct tool's progress, and reports execute's progress per tool call", async () => {
    const seen: Array<number> = []
    await gw.client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.2, steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push(p.progress) }
    )
    expect(seen).toEqual([1, 2, 3])
    const steps: Array<string> = []
    const result = (await gw.client.callTool(
      {
        name: "execute",
        arguments: {
          code: `import { echo } from "./servers/everything/index.ts"
await echo({ message: "a" })
await echo({ message: "b" })
console.log("done")
export default 2`
        }
      },
      undefined,
      { onprogress: (p) => steps.push(`${p.progress} ${p.message}`) }
    )) as CallToolResult
    expect((result.structuredContent as Gateway.ExecuteOutput).value).toBe(2)
    expect(steps).toEqual(["1 everything/echo ok", "2 everything/echo ok"])
    // A call inside the code that reports its own progress: forwarded, numbered on after it.
    const nested: Array<string> = []
    await gw.client.callTool(
      {
        name: "execute",
        arguments: {
          code: `import { triggerLongRunningOperation } from "./servers/everything/index.ts"
await triggerLongRunningOperation({ duration: 0.2, steps: 2 })
export default 1`
        }
      },
      undefined,
      { onprogress: (p) => nested.push(`${p.progress} ${p.message}`) }
    )
    expect(nested.at(-1)).toBe(`${nested.length} everything/trigger-long-running-operation ok`)
    expect(nested.length).toBe(3)
    expect(nested[0]).toMatch(/^1 everything\/trigger-long-running-operation: /)
  })

  it("streams the code's console output as log messages to a client that set a level", async () => {
    const client = new Client({ name: "logs", version: "1" })
    const messages: Array<unknown> = []
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === "notifications/message") messages.push(n.params)
    }
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    await client.setLoggingLevel("debug")
    await client.callTool({
      name: "execute",
      arguments: { code: `console.warn("careful")\nexport default 1` }
    })
    expect(messages).toContainEqual({ level: "warning", logger: "code", data: "careful" })
    await client.close()
  })

  it("sends at most 1,000 console lines of one execute live, then says the rest are in the answer", async () => {
    const client = new Client({ name: "flood", version: "1" })
    const lines: Array<string> = []
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === "notifications/message" && n.params?.logger === "code")
        lines.push(String(n.params.data))
    }
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    await client.setLoggingLevel("info")
    const result = (await client.callTool({
      name: "execute",
      arguments: { code: `for (let i = 0; i < 1500; i++) console.log("line " + i)\nexport default 1` }
    })) as CallToolResult
    // The request's notifications come on its stream before its answer: all are here.
    expect(lines).toHaveLength(Gateway.liveLogLines + 1)
    expect(lines[Gateway.liveLogLines - 1]).toBe(`line ${Gateway.liveLogLines - 1}`)
    expect(lines.at(-1)).toMatch(/the rest are in execute's answer/)
    expect((result.structuredContent as Gateway.ExecuteOutput).logs).toHaveLength(1500)
    await client.close()
  })

  it("returns images and embedded resources from code as content blocks, not base64 in JSON", async () => {
    const tiny = (await gw.client.callTool({
      name: "execute",
      arguments: {
        code: `import { getTinyImage } from "./servers/everything/index.ts"
export default await getTinyImage({})`
      }
    })) as CallToolResult
    expect(tiny.isError).toBeFalsy()
    expect(tiny.content.some((c) => c.type === "image" && c.mimeType === "image/png")).toBe(true)
    expect((tiny.structuredContent as Gateway.ExecuteOutput).value).toBeUndefined()
    const made = (await gw.client.callTool({
      name: "execute",
      arguments: {
        code: `import { image, resource } from "./content.ts"
export default [image("iVBORw0KGgo=", "image/png"), resource("file:///report.md", { text: "# Report", mimeType: "text/markdown" })]`
      }
    })) as CallToolResult
    expect(made.content.slice(1)).toEqual([
      { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
      {
        type: "resource",
        resource: { uri: "file:///report.md", text: "# Report", mimeType: "text/markdown" }
      }
    ])
    expect((made.content[0] as { text: string }).text).toContain("2 content blocks (image/png, resource)")
  })

  it("lets code read the servers' resources through servers/<server>/resources.ts", async () => {
    const file = await gw.call("read_api", { path: "servers/everything/resources.ts" })
    expect(file.text).toContain('export const readDynamicTextResource = (params: { "resourceId": string })')
    const result = (await gw.client.callTool({
      name: "execute",
      arguments: {
        code: `import { listResources, readDynamicTextResource, readResource } from "./servers/everything/resources.ts"
const all = await listResources()
const doc = await readResource("demo://resource/static/document/architecture.md")
const dynamic = await readDynamicTextResource({ resourceId: "5" })
export default { listed: all.length > 0, doc: doc[0]!.mimeType, dynamic: dynamic[0]!.uri }`
      }
    })) as CallToolResult
    expect((result.structuredContent as Gateway.ExecuteOutput).value).toEqual({
      listed: true,
      doc: "text/markdown",
      dynamic: "demo://resource/dynamic/text/5"
    })
  })

  it("puts a server's elicitation to the client whose code called it, and hands the answer back", async () => {
    const client = new Client({ name: "person", version: "1" }, { capabilities: { elicitation: {} } })
    const asked: Array<string> = []
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return { action: "accept", content: { name: "Ada Lovelace", check: true } }
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    const result = (await client.callTool({
      name: "execute",
      arguments: {
        code: `import { triggerElicitationRequest } from "./servers/everything/index.ts"
export default String(await triggerElicitationRequest({}))`
      }
    })) as CallToolResult
    expect(asked).toEqual(["Please provide inputs for the following fields:"])
    const value = (result.structuredContent as Gateway.ExecuteOutput).value as string
    expect(value).toContain("- Name: Ada Lovelace")
    expect(value).toContain("- Agreed to terms: true")
    await client.close()
  })

  it("puts a server's sampling request to the client whose code called it, and hands the answer back", async () => {
    const client = new Client({ name: "model", version: "1" }, { capabilities: { sampling: {} } })
    const prompts: Array<unknown> = []
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      prompts.push(request.params.messages[0]?.content)
      return { role: "assistant", content: { type: "text", text: "a haiku" }, model: "stand-in" }
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    const result = (await client.callTool({
      name: "execute",
      arguments: {
        code: `import { triggerSamplingRequest } from "./servers/everything/index.ts"
export default String(await triggerSamplingRequest({ prompt: "write a haiku", maxTokens: 20 }))`
      }
    })) as CallToolResult
    expect(prompts).toEqual([
      { type: "text", text: "Resource trigger-sampling-request context: write a haiku" }
    ])
    expect((result.structuredContent as Gateway.ExecuteOutput).value).toContain('"text": "a haiku"')
    await client.close()
  })

  it("ends the request a client cancels mid-execution, and keeps serving", async () => {
    const controller = new AbortController()
    const started = gw.client.callTool(
      {
        name: "execute",
        arguments: {
          code: `import { echo } from "./servers/everything/index.ts"
await echo({ message: "before" })
await new Promise((resolve) => setTimeout(resolve, 600_000))
await echo({ message: "after" })
export default "never"`
        }
      },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => controller.abort("the person changed their mind")
      }
    )
    await expect(started).rejects.toThrow()
    const calls = await gw.runtime.runPromise(CodeMode.CodeMode.use((c) => c.toolCalls()))
    expect(calls.filter((c) => c.tool === "echo").length).toBeGreaterThan(0)
    const next = (await gw.client.callTool({
      name: "execute",
      arguments: { code: "export default 7" }
    })) as CallToolResult
    expect((next.structuredContent as Gateway.ExecuteOutput).value).toBe(7)
  })
})

describe("merged listings across servers", () => {
  it("pages resources one server page at a time, with a cursor that round-trips", async () => {
    const two = await startGateway(
      {},
      {
        servers: {
          fixture: {
            command: process.execPath,
            args: [join(import.meta.dirname, "conformance", "server.mjs")]
          }
        }
      }
    )
    try {
      const uris: Array<string> = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await two.client.listResources(cursor === undefined ? {} : { cursor })
        uris.push(...page.resources.map((r) => r.uri))
        cursor = page.nextCursor
        pages++
      } while (cursor !== undefined)
      expect(pages).toBeGreaterThan(1)
      expect(uris).toContain("demo://resource/static/document/architecture.md")
      expect(uris).toContain("test://static-text")
      expect(new Set(uris).size).toBe(uris.length)
      const text = await two.client.readResource({ uri: "test://static-text" })
      expect(text.contents[0]).toMatchObject({ text: "This is the content of the static text resource." })
      await expect(two.client.listResources({ cursor: "not-a-cursor" })).rejects.toThrow(/Invalid cursor/)
    } finally {
      await two.close()
    }
  })

  it("sends a server's sampling request to the client whose call caused it, not the latest one", async () => {
    const fixture = join(import.meta.dirname, "conformance", "server.mjs")
    const gwx = await startGateway(
      { direct: ["fixture/*"] },
      { servers: { fixture: { command: process.execPath, args: [fixture] } } }
    )
    const samplingClient = async (answer: string) => {
      const client = new Client({ name: answer, version: "1" }, { capabilities: { sampling: {} } })
      client.setRequestHandler(CreateMessageRequestSchema, async () => ({
        role: "assistant",
        content: { type: "text", text: answer },
        model: "test"
      }))
      await client.connect(new StreamableHTTPClientTransport(new URL(gwx.url)))
      return client
    }
    try {
      const a = await samplingClient("from A")
      const b = await samplingClient("from B")
      let started: () => void = () => {}
      const running = new Promise<void>((resolve) => {
        started = resolve
      })
      const call = a.callTool(
        { name: "test_sampling_when_released", arguments: { prompt: "hello" } },
        undefined,
        { onprogress: () => started() }
      )
      await running
      // B is now the client that made the last request; the fixture asks for sampling only after it.
      await b.subscribeResource({ uri: "test://release" })
      const result = (await call) as CallToolResult
      expect(result.content).toEqual([{ type: "text", text: "LLM response: from A" }])
      await a.close()
      await b.close()
    } finally {
      await gwx.close()
    }
  })

  it("tells the client when a server's tool list changes, and lists the direct tools anew", async () => {
    const fixture = join(import.meta.dirname, "conformance", "server.mjs")
    const gwx = await startGateway(
      { direct: ["fixture/*"] },
      { servers: { fixture: { command: process.execPath, args: [fixture] } } }
    )
    try {
      const client = new Client({ name: "watcher", version: "1" })
      let changed: () => void = () => {}
      const notified = new Promise<void>((resolve) => {
        changed = resolve
      })
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => changed())
      await client.connect(new StreamableHTTPClientTransport(new URL(gwx.url)))
      const before = (await client.listTools()).tools.map((t) => t.name)
      expect(before).not.toContain("test_extra")
      // The gateway only hears (and says) it once it has fetched the new list: wait for its notice.
      await client.callTool({ name: "test_toggle_extra_tool", arguments: {} })
      await notified
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("test_extra")
      await client.close()
    } finally {
      await gwx.close()
    }
  })

  it("runs a long execute as a task: created at once, its result fetched later", async () => {
    const client = new Client({ name: "tasks", version: "1" })
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    const kinds: Array<string> = []
    let final: CallToolResult | undefined
    for await (const message of client.experimental.tasks.callToolStream(
      { name: "execute", arguments: { code: "export default 6 * 7" } },
      undefined,
      { task: {} }
    )) {
      kinds.push(message.type)
      if (message.type === "result") final = message.result as CallToolResult
    }
    expect(kinds[0]).toBe("taskCreated")
    expect(kinds.at(-1)).toBe("result")
    expect((final!.structuredContent as Gateway.ExecuteOutput).value).toBe(42)
    await client.close()
  })
})
