import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { Observability } from "../src/index.ts"
import { expectedShape, workflow } from "./fixtures.ts"
import { decodeMetrics, decodeTraces, type Receiver, startReceiver } from "./otlpReceiver.ts"

// The exporters read these when the layer is built; this test file runs in its own worker.
const env = {
  OTEL_EXPORTER_OTLP_ENDPOINT: "",
  OTEL_EXPORTER_OTLP_HEADERS: "x-tta-test=otlp-e2e",
  OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test,team=tta",
  OTEL_BSP_SCHEDULE_DELAY: "50"
}
let receiver: Receiver
const saved: Record<string, string | undefined> = {}

beforeAll(async () => {
  receiver = await startReceiver()
  env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key]
    process.env[key] = value
  }
})

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  await receiver.close()
})

describe("Observability.layer otlp", () => {
  it.live("sends the workflow's spans and the metrics over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT", () =>
    Effect.gen(function* () {
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* workflow
          yield* Metric.update(
            Metric.withAttributes(Metric.counter("tta.tool.calls", { incremental: true }), {
              "mcp.server.name": "fs"
            }),
            4
          )
        }).pipe(Effect.provide(Observability.layer({ serviceName: "otlp-e2e", exporter: "otlp" })))
      )
      // layer shutdown flushed both signals
      const traces = receiver.received.filter((r) => r.path === "/v1/traces")
      const metrics = receiver.received.filter((r) => r.path === "/v1/metrics")
      expect(traces.length).toBeGreaterThan(0)
      expect(metrics.length).toBeGreaterThan(0)
      for (const request of [...traces, ...metrics]) {
        expect(request.contentType).toBe("application/json")
        expect(request.headers["x-tta-test"]).toBe("otlp-e2e")
      }

      const spans = traces.flatMap((r) => decodeTraces(r.body))
      expect(spans).toHaveLength(15)
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
      expect(spans[0]?.service).toBe("otlp-e2e")
      expect(spans[0]?.resource).toMatchObject({ "deployment.environment": "test", team: "tta" })

      // rebuild the tree from the decoded parent ids
      const byId = new Map(spans.map((s) => [s.spanId, s]))
      const shapeOf = (parent: string | undefined): Array<unknown> =>
        spans
          .filter((s) => s.parentSpanId === parent)
          .map((s) => ({ name: s.name, children: shapeOf(s.spanId) }))
          .sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a).localeCompare(JSON.stringify(b)))
      expect(shapeOf(undefined)).toEqual(expectedShape)
      for (const span of spans) {
        if (span.parentSpanId !== undefined) expect(byId.has(span.parentSpanId)).toBe(true)
        expect(span.endTimeUnixNano).toBeGreaterThanOrEqual(span.startTimeUnixNano)
      }
      const tool = spans.find((s) => s.name === "tools/call list_directory")
      expect(tool?.kind).toBe(3) // SPAN_KIND_CLIENT
      expect(tool?.attributes).toMatchObject({
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": "list_directory",
        "mcp.server.name": "fs"
      })
      const attempts = spans.filter((s) => s.name === "tta.retry.attempt")
      expect(attempts.map((s) => s.statusCode).sort()).toEqual([1, 2]) // one OK, one ERROR

      const points = metrics.flatMap((r) => decodeMetrics(r.body))
      const calls = points.filter((p) => p.name === "tta.tool.calls")
      expect(calls.at(-1)).toMatchObject({ kind: "sum", value: 4, attributes: { "mcp.server.name": "fs" } })
    })
  )
})
