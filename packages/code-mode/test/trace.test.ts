// One workflow run through every boundary we own, traced with the memory exporter: the workflow's
// primitives, a retry attempt, the code execution, the sandbox, its parallel host calls and the MCP
// tool calls they make must form one trace with the right parent ids.
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { retry, run, sequence, step } from "@tta/core"
import { Observability, SpanTree } from "@tta/observability"
import { Effect, Layer } from "effect"
import { codeExecution } from "../src/index.ts"
import { layerFor, tempSession } from "./support.ts"

describe("codeExecution primitive, traced", () => {
  it.live(
    "yields one trace: workflow → retry attempt → execution → sandbox → parallel host calls → tools/call",
    () => {
      const session = tempSession()
      writeFileSync(join(session.files, "a.txt"), "alpha")
      const code = `import { readTextFile } from "./servers/filesystem/index.ts"
import { readGraph } from "./servers/memory/index.ts"
const [a, g] = await Promise.all([readTextFile({ path: ${JSON.stringify(join(session.files, "a.txt"))} }), readGraph()])
export default { a: a.content, entities: g.entities.length }`
      const workflow = sequence(
        step("prepare", (n: number) => Effect.succeed({ code: `${code}\n// run ${n}` })),
        codeExecution({ name: "triage-code" }).pipe(retry({ times: 1 }))
      )
      return Effect.gen(function* () {
        const outcome = yield* run(workflow, 1, { workflowId: "wf-trace" })
        expect(outcome.value).toEqual({ a: "alpha", entities: 0 })
        expect(outcome.toolCalls).toHaveLength(2)
        yield* Observability.flush
        const spans = yield* Observability.spans
        const traces = new Set(spans.map((s) => s.traceId))
        expect(traces.size).toBe(1)
        const roots = SpanTree.fromSpans(spans)
        const sandbox = SpanTree.find(roots, "sandbox.execute")!
        const shape = SpanTree.shape([sandbox], { order: "name" })[0]!
        expect(shape.children.map((c) => c.name)).toEqual(["sandbox.host_call", "sandbox.host_call"])
        expect(shape.children.map((c) => c.children.map((t) => t.name))).toEqual([
          ["tools/call read_graph"],
          ["tools/call read_text_file"]
        ])
        // Walk up from one MCP call to the workflow root, checking every parent id on the way.
        const byId = new Map(spans.map((s) => [s.spanId, s]))
        const chain: Array<string> = []
        let current = spans.find((s) => s.name === "tools/call read_text_file")
        while (current) {
          chain.push(current.name)
          current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined
        }
        expect(chain.slice(0, 3)).toEqual([
          "tools/call read_text_file",
          "sandbox.host_call",
          "sandbox.execute"
        ])
        expect(chain).toContain("codeMode.execute")
        expect(chain).toContain("tta.code-execution")
        expect(chain).toContain("tta.retry.attempt")
        expect(chain).toContain("tta.retry")
        expect(chain.at(-1)).toBe("tta.sequence")
        const primitive = spans.find((s) => s.name === "tta.code-execution")!
        expect(primitive.attributes["tta.workflow.id"]).toBe("wf-trace")
        expect(primitive.attributes["tta.primitive.name"]).toBe("triage-code")
      }).pipe(Effect.provide(Layer.mergeAll(layerFor(session), Observability.memory("code-mode-trace"))))
    },
    60_000
  )
})
