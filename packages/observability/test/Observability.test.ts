import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Metric } from "effect"
import { Observability, SpanTree } from "../src/index.ts"
import { expectedShape, workflow } from "./fixtures.ts"

describe("Observability.layer memory", () => {
  it.live("one workflow run yields one trace with the expected tree and parent ids", () =>
    Effect.gen(function* () {
      yield* workflow
      const spans = yield* Observability.spans
      const roots = yield* Observability.trace
      expect(roots).toHaveLength(1)
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
      expect(SpanTree.shape(roots, { order: "name" })).toEqual(expectedShape)

      // parent ids: every non-root span's parent is a recorded span of the same trace
      const byId = new Map(spans.map((s) => [s.spanId, s]))
      for (const span of spans) {
        if (span.name === "workflow.run") expect(span.parentSpanId).toBeUndefined()
        else expect(byId.get(span.parentSpanId ?? "")?.traceId).toBe(span.traceId)
      }
      const toolSpan = spans.find((s) => s.name === "tools/call list_directory")
      const host = byId.get(toolSpan?.parentSpanId ?? "")
      expect(host?.name).toBe("sandbox.host_call")
      expect(byId.get(host?.parentSpanId ?? "")?.name).toBe("sandbox.execute")
      expect(toolSpan?.kind).toBe("client")
      expect(toolSpan?.attributes["gen_ai.tool.name"]).toBe("list_directory")

      // the failed attempt is an error span carrying the tool's message; the second is ok
      const attempts = SpanTree.findAll(roots, "tta.retry.attempt")
      expect(attempts.map((a) => a.span.status)).toEqual(["error", "ok"])
      expect(attempts[0]?.span.statusMessage).toContain("read_file failed")
      const failedCall = SpanTree.find(attempts, "tools/call read_file")
      expect(failedCall?.span.status).toBe("error")
      expect(failedCall?.span.events.some((e) => e.name === "exception")).toBe(true)
      // children start within their parents
      for (const { node } of SpanTree.flatten(roots)) {
        for (const child of node.children) {
          expect(child.span.startTime).toBeGreaterThanOrEqual(node.span.startTime - 1)
          expect(child.span.endTime).toBeLessThanOrEqual(node.span.endTime + 1)
        }
      }
    }).pipe(Effect.provide(Observability.memory("obs-test")))
  )

  it.live("reset forgets recorded spans; separate runs are separate traces", () =>
    Effect.gen(function* () {
      yield* Effect.void.pipe(Effect.withSpan("a"))
      yield* Effect.void.pipe(Effect.withSpan("b"))
      const roots = yield* Observability.trace
      expect(roots.map((r) => r.span.name)).toEqual(["a", "b"])
      expect(roots[0]?.span.traceId).not.toBe(roots[1]?.span.traceId)
      yield* Observability.Observability.use((o) => o.reset)
      expect(yield* Observability.spans).toEqual([])
    }).pipe(Effect.provide(Observability.memory()))
  )

  it.live("maxSpans keeps the newest spans", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 5; i++) yield* Effect.void.pipe(Effect.withSpan(`s${i}`))
      expect((yield* Observability.spans).map((s) => s.name)).toEqual(["s3", "s4"])
    }).pipe(Effect.provide(Observability.layer({ serviceName: "cap", exporter: "memory", maxSpans: 2 })))
  )

  it.live("Effect metrics are collected with their attributes", () =>
    Effect.gen(function* () {
      const calls = Metric.counter("test.tool.calls", { description: "tool calls", incremental: true })
      const latency = Metric.histogram("test.tool.latency", {
        description: "latency",
        boundaries: Metric.linearBoundaries({ start: 0, width: 10, count: 5 })
      })
      yield* Metric.update(Metric.withAttributes(calls, { "mcp.server.name": "fs" }), 2)
      yield* Metric.update(Metric.withAttributes(calls, { "mcp.server.name": "fs" }), 1)
      yield* Metric.update(latency, 12)
      yield* Metric.update(latency, 30)
      const points = yield* Observability.metrics
      const count = points.find(
        (p) => p.name === "test.tool.calls" && p.attributes["mcp.server.name"] === "fs"
      )
      expect(count?.type).toBe("sum")
      expect(count?.value).toBe(3)
      const hist = points.find((p) => p.name === "test.tool.latency")
      expect(hist?.type).toBe("histogram")
      expect(hist?.value).toMatchObject({ count: 2, sum: 42, min: 12, max: 30 })
    }).pipe(Effect.provide(Observability.memory()))
  )
})

describe("Observability.layer console", () => {
  it.live("prints each trace as an indented tree, errors marked, and metrics as lines", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const write = (text: string) => {
        lines.push(text)
      }
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* workflow
          yield* Metric.update(Metric.counter("test.console.count", { incremental: true }), 7)
        }).pipe(
          Effect.provide(
            Observability.layer({ serviceName: "console-test", exporter: "console", write, record: true })
          )
        )
      )
      const tree = lines.find((l) => l.includes("workflow.run"))
      expect(tree).toBeDefined()
      const rows = (tree ?? "").split("\n")
      expect(rows[0]).toMatch(/^trace [0-9a-f]{32}$/)
      expect(rows[1]).toMatch(/^workflow\.run {2}\d/)
      expect(rows[2]).toMatch(/^└─ tta\.sequence .*tta\.primitive\.name=triage/)
      expect(rows[3]).toMatch(/^ {3}└─ tta\.retry /)
      expect(rows[4]).toMatch(/^ {6}├─ tta\.retry\.attempt .*✗ .*read_file failed/)
      expect(rows.filter((r) => r.includes("tools/call read_file")).length).toBe(2)
      expect(rows.some((r) => /│ {2}.*└─ tools\/call/.test(r))).toBe(true)
      // the final metric export happens at shutdown
      const metrics = lines.find((l) => l.startsWith("metrics (console-test)"))
      expect(metrics).toContain("test.console.count 7")
    })
  )
})

describe("Observability.layer bad input", () => {
  it.live("an unknown exporter is a typed error naming the field", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.void.pipe(
          Effect.provide(Observability.layer({ serviceName: "x", exporter: "jaeger" as never }))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(
        Effect.void.pipe(
          Effect.provide(Observability.layer({ serviceName: "x", exporter: "jaeger" as never }))
        )
      )
      expect(error._tag).toBe("ObservabilityConfigError")
      expect(error.field).toBe("exporter")
      expect(error.message).toContain("jaeger")
    })
  )

  it.live("an empty service name is rejected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.void.pipe(Effect.provide(Observability.layer({ serviceName: " ", exporter: "memory" })))
      )
      expect(error.field).toBe("serviceName")
    })
  )

  it.live(
    "OTEL_SDK_DISABLED=true turns the exporter off; a bad OTEL_METRIC_EXPORT_INTERVAL is a typed error",
    () =>
      Effect.gen(function* () {
        const env = (vars: Record<string, string>) =>
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(vars)))
        const lines: Array<string> = []
        const disabled = Observability.layer({
          serviceName: "off",
          exporter: "console",
          write: (text) => {
            lines.push(text)
          }
        }).pipe(env({ OTEL_SDK_DISABLED: "true" }))
        const exporter = yield* Effect.scoped(
          Effect.gen(function* () {
            yield* Effect.void.pipe(Effect.withSpan("quiet"))
            return yield* Observability.Observability.use((o) => Effect.succeed(o.exporter))
          }).pipe(Effect.provide(disabled))
        )
        expect(exporter).toBe("none")
        expect(lines).toEqual([])

        const error = yield* Effect.flip(
          Effect.void.pipe(
            Effect.provide(
              Observability.layer({ serviceName: "x", exporter: "memory" }).pipe(
                env({ OTEL_METRIC_EXPORT_INTERVAL: "soon" })
              )
            )
          )
        )
        expect(error.field).toBe("OTEL_METRIC_EXPORT_INTERVAL")
      })
  )
})
