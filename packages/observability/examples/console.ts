// Run: node examples/console.ts  (Node 24) — prints a trace tree and the metrics.
import { Effect, Metric } from "effect"
import { Observability } from "../src/index.ts"

const tool = (name: string) =>
  Effect.sleep("5 millis").pipe(
    Effect.withSpan(`tools/call ${name}`, {
      kind: "client",
      attributes: { "mcp.method.name": "tools/call", "gen_ai.tool.name": name, "mcp.server.name": "fs" }
    })
  )

const program = Effect.all([tool("read_file"), tool("list_directory")], { concurrency: 2 }).pipe(
  Effect.tap(() => Metric.update(Metric.counter("tta.tool.calls", { incremental: true }), 2)),
  Effect.withSpan("sandbox.execute"),
  Effect.withSpan("tta.sequence", { attributes: { "tta.primitive.name": "triage" } })
)

Effect.runPromise(
  program.pipe(Effect.provide(Observability.layer({ serviceName: "example", exporter: "console" })))
)
