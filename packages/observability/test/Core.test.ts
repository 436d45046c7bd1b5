// The spans of real @tta/core primitives, recorded by the memory exporter, nest with the
// sandbox/MCP spans of the work they run; their metrics reach the metric reader.

import { describe, expect, it } from "@effect/vitest"
import { Metrics, Runner, retry, sequence, step } from "@tta/core"
import { Effect } from "effect"
import { Observability, SpanTree } from "../src/index.ts"
import { execute } from "./fixtures.ts"

describe("with @tta/core primitives", () => {
  it.live(
    "workflow → primitive → retry attempt → sandbox.execute → host call → tools/call is one trace",
    () =>
      Effect.gen(function* () {
        let attempts = 0
        const fetch = step("fetch", (n: number) =>
          Effect.suspend(() => {
            attempts++
            return execute(attempts === 1)
          }).pipe(Effect.as(n + 1))
        )
        const workflow = sequence(
          step("prepare", (n: number) => Effect.succeed(n + 1)),
          retry(fetch, { times: 2 }),
          step("summarize", (n: number) => Effect.succeed(n * 10))
        )
        const out = yield* Runner.run(workflow, 0, { workflowId: "wf-core" }).pipe(
          Effect.withSpan("workflow.run")
        )
        expect(out).toBe(20)

        const roots = yield* Observability.trace
        expect(roots).toHaveLength(1)
        const host = {
          name: "sandbox.host_call",
          children: [{ name: "tools/call list_directory", children: [] }]
        }
        const read = { name: "sandbox.host_call", children: [{ name: "tools/call read_file", children: [] }] }
        const attempt = {
          name: "tta.retry.attempt",
          children: [{ name: "tta.step", children: [{ name: "sandbox.execute", children: [host, read] }] }]
        }
        expect(SpanTree.shape(roots)[0]?.name).toBe("workflow.run")
        const sequenceNode = roots[0]?.children[0]
        expect(sequenceNode?.span.name).toBe("tta.sequence")
        expect(sequenceNode?.span.attributes["tta.workflow.id"]).toBe("wf-core")
        const [prepare, retried, summarize] = SpanTree.shape(sequenceNode?.children ?? [], {
          attributes: ["tta.primitive.name"]
        })
        expect(prepare?.attributes?.["tta.primitive.name"]).toBe("prepare")
        expect(summarize?.attributes?.["tta.primitive.name"]).toBe("summarize")
        expect(retried?.name).toBe("tta.retry")
        const retryNode = SpanTree.find(roots, "tta.retry")
        expect(SpanTree.shape(retryNode?.children ?? [], { order: "name" })).toEqual([attempt, attempt])
        const attemptSpans = SpanTree.findAll(roots, "tta.retry.attempt").map((n) => n.span)
        expect(attemptSpans.map((s) => s.status)).toEqual(["error", "ok"])
        expect(attemptSpans.map((s) => s.attributes["tta.retry.attempt"])).toEqual([1, 2])

        // The layer turns on the primitives' metrics (off while nobody reads them).
        const points = yield* Observability.metrics
        const point = (name: string, primitive: string) =>
          points.find((p) => p.name === name && p.attributes["tta.primitive.name"] === primitive)?.value
        expect(point(Metrics.names.duration, "summarize")).toMatchObject({ count: 1 })
        expect(point(Metrics.names.duration, "fetch")).toMatchObject({ count: 2 })
        expect(point(Metrics.names.errors, "fetch")).toBe(1)
        expect(point(Metrics.names.retries, "retry(fetch)")).toBe(1)
      }).pipe(Effect.provide(Observability.memory("core-test")))
  )
})
