// Spans (OTel MCP semantic conventions) and Effect metrics, recorded by an in-memory tracer.
import { assert, describe, it } from "@effect/vitest"
import { McpHub, Telemetry } from "@tta/mcp"
import { Effect, Metric, Tracer } from "effect"
import { serverScript } from "./helpers.ts"

const count = (snapshot: Metric.Metric.Snapshot | undefined): number | undefined =>
  (snapshot?.state as { readonly count?: number } | undefined)?.count

const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

describe("telemetry", () => {
  it.live(
    "initialize, tools/list and tools/call spans carry the MCP attributes; failures get error.type",
    () => {
      const { spans, tracer } = recordingTracer()
      return Effect.gen(function* () {
        const hub = yield* McpHub.make({
          mcpServers: {
            tele: { type: "stdio", command: process.execPath, args: [serverScript("fault")], env: {} }
          }
        })
        yield* hub.callTool("tele", "echo", { text: "hi" })
        yield* Effect.flip(hub.callTool("tele", "fail", {}))
        yield* Effect.flip(hub.callTool("tele", "echo", { text: 5 }))

        const names = spans.map((s) => s.name)
        assert.includeMembers(names, ["initialize", "tools/list", "tools/call echo", "tools/call fail"])
        const init = spans.find((s) => s.name === "initialize")
        assert.strictEqual(init?.attributes.get(Telemetry.Attr.methodName), "initialize")
        assert.strictEqual(init?.attributes.get(Telemetry.Attr.serverName), "tele")
        const echo = spans.find((s) => s.name === "tools/call echo")
        assert.strictEqual(echo?.kind, "client")
        assert.strictEqual(echo?.attributes.get(Telemetry.Attr.methodName), "tools/call")
        assert.strictEqual(echo?.attributes.get(Telemetry.Attr.toolName), "echo")
        assert.strictEqual(echo?.attributes.get(Telemetry.Attr.serverName), "tele")
        assert.isUndefined(echo?.attributes.get(Telemetry.Attr.errorType))
        const fail = spans.find((s) => s.name === "tools/call fail")
        assert.strictEqual(fail?.attributes.get(Telemetry.Attr.errorType), "ToolError")
        assert.strictEqual(fail?.status._tag, "Ended")
        const invalid = spans.filter((s) => s.name === "tools/call echo")[1]
        assert.strictEqual(invalid?.attributes.get(Telemetry.Attr.errorType), "InvalidToolArguments")

        const snapshot = yield* Metric.snapshot
        const find = (id: string, attrs: Record<string, string>) =>
          snapshot.filter(
            (m) => m.id === id && Object.entries(attrs).every(([k, v]) => m.attributes?.[k] === v)
          )
        const echoCalls = find(Telemetry.MetricName.toolCalls, {
          [Telemetry.Attr.serverName]: "tele",
          [Telemetry.Attr.toolName]: "echo"
        })
        assert.strictEqual(echoCalls.length, 1)
        assert.strictEqual(count(echoCalls[0]), 2)
        const errors = find(Telemetry.MetricName.toolErrors, {
          [Telemetry.Attr.serverName]: "tele",
          [Telemetry.Attr.errorType]: "ToolError"
        })
        assert.strictEqual(count(errors[0]), 1)
        const latency = find(Telemetry.MetricName.operationDuration, {
          [Telemetry.Attr.serverName]: "tele",
          [Telemetry.Attr.toolName]: "echo"
        })
        assert.strictEqual(count(latency[0]), 2)
      }).pipe(Effect.scoped, Effect.withTracer(tracer))
    }
  )
})
