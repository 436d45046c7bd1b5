// The --llm agent loop against a local stand-in of Anthropic's Messages API (no key and no network
// here, so NO MODEL RUNS: the stand-in is scripted, and the real API is untested live). The
// stand-in is a real HTTP server on 127.0.0.1 that answers with scripted tool_use turns; every
// tool_use runs for real through @tta/code-mode/anthropic's handler on the code-mode stack (real
// metrics server, real isolate).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { CodeMode } from "@tta/code-mode"
import * as Anthropic from "@tta/code-mode/anthropic"
import { Llm, Servers, Stack } from "@tta/demo"
import { Effect, Exit, ManagedRuntime } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"

interface Seen {
  readonly headers: IncomingHttpHeaders
  readonly body: {
    model: string
    system?: string
    tools: Array<{ name: string; input_schema: unknown }>
    messages: Array<{ role: string; content: unknown }>
  }
}

type Script = (request: Seen, index: number) => { status?: number; body: unknown }

let server: Server
let url = ""
let seen: Array<Seen> = []
let script: Script = () => ({ status: 500, body: { error: { message: "no script" } } })

const runtime = ManagedRuntime.make(Stack.layer(Servers.makeDirs(), { servers: ["metrics"] }))

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = ""
    req.on("data", (chunk) => {
      data += chunk
    })
    req.on("end", () => {
      const request: Seen = { headers: req.headers, body: JSON.parse(data) }
      seen.push(request)
      let reply: { status?: number; body: unknown }
      try {
        reply = script(request, seen.length - 1)
      } catch (e) {
        // a failed expectation in the script: fail the loop at once (400 is not retried)
        reply = { status: 400, body: { error: { message: `stand-in: ${String(e)}` } } }
      }
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" })
      res.end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  process.env.ANTHROPIC_BASE_URL = url
})

afterAll(async () => {
  delete process.env.ANTHROPIC_BASE_URL
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await runtime.dispose()
})

beforeEach(() => {
  seen = []
})

const turn = (content: Array<unknown>, stop_reason: string) => ({
  body: {
    id: `msg_${Math.random()}`,
    type: "message",
    role: "assistant",
    content,
    stop_reason,
    usage: { input_tokens: 100, output_tokens: 20 }
  }
})

const lastToolResults = (request: Seen) => {
  const last = request.body.messages.at(-1)!
  expect(last.role).toBe("user")
  return last.content as Array<{ type: string; tool_use_id: string; content: string; is_error?: boolean }>
}

const criticalCode = `import { query } from "./servers/metrics/index.ts"
const r = await query({ query: "max by (service) (error_rate) > 0.1" })
if (r.data.resultType !== "vector") throw new Error("not a vector")
export default r.data.result.map((s) => s.metric.service)`

describe("--llm agent loop (Messages API stand-in)", () => {
  it("sends the adapter's tools, runs each tool_use through code mode, and loops until end_turn", async () => {
    script = (request, i) => {
      if (i === 0) {
        return turn(
          [
            { type: "text", text: "Looking for the metrics API." },
            {
              type: "tool_use",
              id: "tu_1",
              name: "search_tools",
              input: { query: "error rate instant query" }
            }
          ],
          "tool_use"
        )
      }
      if (i === 1) {
        const [result] = lastToolResults(request)
        expect(result).toMatchObject({ type: "tool_result", tool_use_id: "tu_1" })
        expect(result!.content).toContain("servers/metrics/query.ts")
        return turn(
          [{ type: "tool_use", id: "tu_2", name: "execute", input: { code: criticalCode } }],
          "tool_use"
        )
      }
      const [result] = lastToolResults(request)
      expect(result!.tool_use_id).toBe("tu_2")
      // the adapter's summary as JSON: { value, logs, toolCalls }
      const value = (JSON.parse(result!.content) as { value: Array<string> }).value
      return turn([{ type: "text", text: `critical: ${value.join(", ")}` }], "end_turn")
    }
    const run = await runtime.runPromise(Llm.runAgent(Llm.triageTask("/tmp/reports"), { apiKey: "test-key" }))
    expect(run.text).toBe("critical: payments")
    expect(run.stopReason).toBe("end_turn")
    expect(run.turns.map((t) => t.toolUses.map((u) => u.name))).toEqual([["search_tools"], ["execute"], []])
    expect(run.usage).toEqual({ inputTokens: 300, outputTokens: 60 })
    expect(seen).toHaveLength(3)
    const first = seen[0]!
    expect(first.headers["x-api-key"]).toBe("test-key")
    expect(first.headers["anthropic-version"]).toBe("2023-06-01")
    expect(first.body.model).toBe(process.env.ANTHROPIC_MODEL ?? "claude-sonnet-4-5")
    expect(first.body.system).toBe(Anthropic.instructions)
    expect(first.body.tools).toEqual(Anthropic.tools)
    expect(first.body.messages).toEqual([{ role: "user", content: Llm.triageTask("/tmp/reports") }])
    // the conversation grows: user, assistant, user(tool_result), assistant, user(tool_result)
    expect(seen[2]!.body.messages.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user"
    ])
    // the execute really ran on the metrics server
    const calls = await runtime.runPromise(CodeMode.CodeMode.use((c) => c.toolCalls()))
    expect(calls.map((c) => `${c.server}/${c.tool}`)).toContain("metrics/query")
  })

  it("hands a failing execution back to the model as an is_error tool_result and carries on", async () => {
    script = (request, i) => {
      if (i === 0) {
        return turn(
          [
            {
              type: "tool_use",
              id: "bad",
              name: "execute",
              input: { code: "const x: number = 'nope'\nexport default x" }
            }
          ],
          "tool_use"
        )
      }
      const [result] = lastToolResults(request)
      expect(result!.is_error).toBe(true)
      expect(JSON.parse(result!.content)).toMatchObject({ error: "ExecutionError", kind: "type-check" })
      return turn([{ type: "text", text: "fixed" }], "end_turn")
    }
    const run = await runtime.runPromise(Llm.runAgent("task", { apiKey: "k" }))
    expect(run.turns[0]!.toolUses[0]!.isError).toBe(true)
    expect(run.text).toBe("fixed")
  })

  it("retries an overloaded API (529) and reports a bad request (400) without retrying", async () => {
    script = (_request, i) =>
      i === 0
        ? { status: 529, body: { error: { message: "Overloaded" } } }
        : turn([{ type: "text", text: "ok" }], "end_turn")
    const run = await runtime.runPromise(Llm.runAgent("task", { apiKey: "k" }))
    expect(run.text).toBe("ok")
    expect(seen).toHaveLength(2)

    seen = []
    script = () => ({
      status: 400,
      body: { error: { type: "invalid_request_error", message: "max_tokens: too large" } }
    })
    const exit = await runtime.runPromise(Effect.exit(Llm.runAgent("task", { apiKey: "k", baseUrl: url })))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(Llm.LlmError)
    expect((error as Llm.LlmError).status).toBe(400)
    expect((error as Llm.LlmError).message).toContain("max_tokens: too large")
    expect(seen).toHaveLength(1)
  })

  it("stops after maxTurns when the model never ends its turn", async () => {
    script = () =>
      turn(
        [{ type: "tool_use", id: "again", name: "read_api", input: { path: "servers/index.ts" } }],
        "tool_use"
      )
    const exit = await runtime.runPromise(Effect.exit(Llm.runAgent("task", { apiKey: "k", maxTurns: 2 })))
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect((error as Llm.LlmError).message).toContain("did not finish within 2 turns")
    expect(seen).toHaveLength(2)
  })
})
