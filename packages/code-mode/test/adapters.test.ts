// The agent-SDK adapters end to end: each SDK's own test model (the AI SDK's MockLanguageModelV4,
// Effect AI's LanguageModel.make) or a hand-written Anthropic / OpenAI reply drives a real code-mode
// session — real server-memory over stdio, the real isolate sandbox — through search_tools,
// read_api and execute. Each test works on its own entities, so their order does not matter.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { McpConfig } from "@tta/mcp"
import { generateText, stepCountIs } from "ai"
import { MockLanguageModelV4 } from "ai/test"
import { Effect, Layer, Stream } from "effect"
import { LanguageModel, type Response } from "effect/ai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { codeModeTools, type Handle, open } from "../src/adapters/AiSdk.ts"
import * as Anthropic from "../src/adapters/Anthropic.ts"
import * as EffectAi from "../src/adapters/EffectAi.ts"
import * as OpenAi from "../src/adapters/OpenAi.ts"
import { CodeMode } from "../src/CodeMode.ts"
import * as GatewayTools from "../src/gateway/Tools.ts"
import { Gateway } from "../src/index.ts"
import { serverBins } from "./support.ts"

type CallOptions = Parameters<MockLanguageModelV4["doGenerate"]>[0]
type GenerateResult = Awaited<ReturnType<MockLanguageModelV4["doGenerate"]>>

let session: Handle

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tta-adapters-"))
  const config = await Effect.runPromise(
    McpConfig.decode({
      mcpServers: {
        memory: {
          command: process.execPath,
          args: [serverBins.memory],
          env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }
        }
      }
    })
  )
  session = await open(config, { dir: join(dir, "tta") })
}, 60_000)

afterAll(async () => {
  await session?.close()
})

// Agent code that stores one entity and returns the names of all entities of its type.
const storeAndList = (
  name: string,
  type: string
) => `import { createEntities, readGraph } from "./servers/memory/index.ts"
await createEntities({ entities: [{ name: ${JSON.stringify(name)}, entityType: ${JSON.stringify(type)}, observations: [] }] })
const graph = await readGraph()
console.log("entities:", graph.entities.length)
export default graph.entities.filter((e) => e.entityType === ${JSON.stringify(type)}).map((e) => e.name)`

describe("Vercel AI SDK: codeModeTools", () => {
  const usage = {
    inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: 5, reasoning: undefined }
  }
  const toolCall = (name: string, input: unknown): GenerateResult => ({
    content: [
      { type: "tool-call", toolCallId: `call-${name}`, toolName: name, input: JSON.stringify(input) }
    ],
    finishReason: { unified: "tool-calls", raw: undefined },
    usage,
    warnings: []
  })
  // What the tools answered so far, read back from the prompt the SDK sends the model.
  const results = (options: CallOptions) =>
    options.prompt.flatMap((m) =>
      m.role === "tool"
        ? m.content.flatMap((p) =>
            p.type === "tool-result" ? [p.output.type === "json" ? p.output.value : p.output] : []
          )
        : []
    )

  it("a mock model searches, reads the API, runs code on a real server and answers", async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async (options) => {
        const seen = results(options)
        if (seen.length === 0)
          return toolCall("search_tools", { query: "create entities in the knowledge graph" })
        if (seen.length === 1) {
          const hits = seen[0] as Array<{ tool: string; path: string }>
          const hit = hits.find((h) => h.tool === "create_entities")
          return toolCall("read_api", { path: hit?.path ?? "servers/index.ts" })
        }
        if (seen.length === 2) return toolCall("execute", { code: storeAndList("ada", "ai-sdk-person") })
        const outcome = seen[2] as { value: Array<string> }
        return {
          content: [{ type: "text", text: `stored: ${outcome.value.join(", ")}` }],
          finishReason: { unified: "stop", raw: undefined },
          usage,
          warnings: []
        }
      }
    })
    const result = await generateText({
      model,
      tools: codeModeTools(session),
      prompt: "Remember that Ada is a person.",
      stopWhen: stepCountIs(6)
    })
    expect(result.text).toBe("stored: ada")
    expect(result.steps.flatMap((s) => s.toolCalls.map((c) => c.toolName))).toEqual([
      "search_tools",
      "read_api",
      "execute"
    ])
    const source = result.steps[1]?.toolResults[0]?.output
    expect(source).toContain("export async function createEntities")
    // The model was offered the three tools with JSON Schemas derived from their Effect Schemas.
    const offered = model.doGenerateCalls[0]?.tools ?? []
    expect(offered.map((t) => t.name).sort()).toEqual(["execute", "read_api", "search_tools"])
    const search = offered.find((t) => t.name === "search_tools") as {
      inputSchema: { required: Array<string> }
    }
    expect(search.inputSchema.required).toEqual(["query"])
  })

  it("a type error in the agent's code comes back to the model as a result it can read", async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async (options) =>
        results(options).length === 0
          ? toolCall("execute", { code: "const n: number = 'not a number'\nexport default n" })
          : {
              content: [{ type: "text", text: JSON.stringify(results(options)[0]) }],
              finishReason: { unified: "stop", raw: undefined },
              usage,
              warnings: []
            }
    })
    const result = await generateText({
      model,
      tools: codeModeTools(session),
      prompt: "x",
      stopWhen: stepCountIs(3)
    })
    const answer = JSON.parse(result.text) as { error: string; kind: string; message: string }
    expect(answer.error).toBe("ExecutionError")
    expect(answer.kind).toBe("type-check")
    expect(answer.message).toContain("string")
  })
})

describe("Effect AI: CodeModeToolkit", () => {
  // A scripted model (Effect AI's LanguageModel.make): asks for two tool calls, then reads no more.
  const model = Layer.effect(
    LanguageModel.LanguageModel,
    LanguageModel.make({
      generateText: () =>
        Effect.succeed<Array<Response.PartEncoded>>([
          { type: "tool-call", id: "1", name: "search_tools", params: { query: "read the knowledge graph" } },
          {
            type: "tool-call",
            id: "2",
            name: "execute",
            params: { code: storeAndList("grace", "effect-ai-person") }
          },
          { type: "tool-call", id: "3", name: "read_api", params: { path: "servers/nope.ts" } },
          {
            type: "finish",
            reason: "tool-calls",
            usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } }
          }
        ]),
      streamText: () => Stream.empty
    })
  )

  it("the toolkit's handlers run on the session: results, and failures as results", async () => {
    const response = await session.run(
      LanguageModel.generateText({ prompt: "Remember Grace.", toolkit: EffectAi.CodeModeToolkit }).pipe(
        Effect.provide(
          Layer.merge(model, EffectAi.layer.pipe(Layer.provide(Layer.succeed(CodeMode, session.codeMode))))
        )
      )
    )
    const byName = Object.fromEntries(response.toolResults.map((r) => [r.name, r]))
    const hits = byName.search_tools?.result as Array<{ tool: string }>
    expect(hits.some((h) => h.tool === "read_graph")).toBe(true)
    expect(byName.execute?.result).toMatchObject({ value: ["grace"] })
    expect(byName.read_api?.isFailure).toBe(true)
    expect(byName.read_api?.result).toMatchObject({ error: "ApiFileNotFound" })
  })
})

describe("Anthropic Messages API and OpenAI function calling: tools + handle", () => {
  it("offers the gateway's own definitions of its three tools (one Schema, one description each)", async () => {
    const three = Gateway.tools.filter((t) => ["search_tools", "read_api", "execute"].includes(t.name))
    expect(Anthropic.tools).toEqual(
      three.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }))
    )
    expect(OpenAi.tools.map((t) => t.function.parameters)).toEqual(three.map((t) => t.inputSchema))
    expect(EffectAi.Execute.parametersSchema).toBe(GatewayTools.ExecuteInput)
    // execute answers as the gateway's structured answer does: calls per tool, records with verbose.
    const code = storeAndList("barbara", "verbose-person")
    const plain = await Anthropic.handle(session, {
      type: "tool_use",
      id: "t1",
      name: "execute",
      input: { code }
    })
    expect(JSON.parse(plain.content)).toMatchObject({
      value: ["barbara"],
      calls: [
        { server: "memory", count: 1 },
        { server: "memory", count: 1 }
      ]
    })
    expect(JSON.parse(plain.content).toolCalls).toBeUndefined()
    const verbose = await Anthropic.handle(session, {
      type: "tool_use",
      id: "t2",
      name: "execute",
      input: { code, verbose: true }
    })
    expect(JSON.parse(verbose.content).toolCalls).toHaveLength(2)
  })

  it("Anthropic: tool definitions, and a tool_use block answered with its tool_result", async () => {
    expect(Anthropic.tools.map((t) => t.name)).toEqual(["search_tools", "read_api", "execute"])
    expect(Anthropic.tools[2]?.input_schema).toMatchObject({ type: "object", required: ["code"] })
    const ok = await Anthropic.handle(session, {
      type: "tool_use",
      id: "toolu_1",
      name: "execute",
      input: { code: storeAndList("alan", "anthropic-person") }
    })
    expect(ok.tool_use_id).toBe("toolu_1")
    expect(ok.is_error).toBeUndefined()
    expect(JSON.parse(ok.content).value).toEqual(["alan"])
    const bad = await Anthropic.handle(session, {
      type: "tool_use",
      id: "toolu_2",
      name: "execute",
      input: {}
    })
    expect(bad.is_error).toBe(true)
    expect(bad.content).toContain("code")
    const unknown = await Anthropic.handle(session, {
      type: "tool_use",
      id: "toolu_3",
      name: "rm",
      input: {}
    })
    expect(unknown.is_error).toBe(true)
    expect(unknown.content).toContain("search_tools, read_api, execute")
  })

  it("OpenAI: Chat Completions and Responses tool calls answered in their own shapes", async () => {
    expect(OpenAi.tools.map((t) => t.function.name)).toEqual(["search_tools", "read_api", "execute"])
    expect(OpenAi.responsesTools[0]).toMatchObject({ type: "function", name: "search_tools", strict: false })
    const chat = await OpenAi.handle(session, {
      id: "call_1",
      type: "function",
      function: {
        name: "execute",
        arguments: JSON.stringify({ code: storeAndList("edsger", "openai-person") })
      }
    })
    expect(chat).toMatchObject({ role: "tool", tool_call_id: "call_1" })
    expect(JSON.parse(chat.content).value).toEqual(["edsger"])
    const responses = await OpenAi.handle(session, {
      type: "function_call",
      call_id: "fc_1",
      name: "read_api",
      arguments: JSON.stringify({ path: "servers/index.ts" })
    })
    expect(responses).toMatchObject({ type: "function_call_output", call_id: "fc_1" })
    expect(responses.output).toContain("memory")
    const garbled = await OpenAi.handle(session, {
      id: "call_2",
      type: "function",
      function: { name: "execute", arguments: "{not json" }
    })
    expect(JSON.parse(garbled.content)).toMatchObject({ error: "InvalidInput" })
  })
})
