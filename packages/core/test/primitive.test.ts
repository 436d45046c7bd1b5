import { assert, describe, it } from "@effect/vitest"
import {
  type Cache,
  cache,
  compensate,
  describe as describeTree,
  InvalidOptionError,
  lift,
  Metrics,
  make,
  Primitive,
  parallel,
  retry,
  route,
  saga,
  sequence,
  step,
  toMermaid,
  WorkflowContext,
  withName
} from "@tta/core"
import { Effect, Exit } from "effect"
import { attr, metric, recorder, withMetrics } from "./support.ts"

const inc = lift("inc", (n: number) => n + 1)

describe("Primitive", () => {
  it.effect("make builds a named, inspectable step whose run is an Effect", () =>
    Effect.gen(function* () {
      const p = make({ name: "twice", kind: "twice", run: (n: number) => Effect.succeed(n * 2) })
      assert.strictEqual(p.name, "twice")
      assert.strictEqual(p.kind, "twice")
      assert.deepStrictEqual(p.children, [])
      assert.isTrue(Primitive.isPrimitive(p))
      assert.strictEqual(yield* p.run(21), 42)
    })
  )

  it("rejects a kind that cannot name a span, with a typed error naming it", () => {
    const error = (() => {
      try {
        make({ name: "x", kind: "Not A Kind", run: () => Effect.void })
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, InvalidOptionError)
    assert.strictEqual((error as InvalidOptionError).option, "kind")
    assert.include((error as InvalidOptionError).message, "Not A Kind")
  })

  it.effect("one span per run, named tta.<kind>, with the primitive name and workflow id", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const flow = sequence(inc, inc).pipe(withName("two-incs"))
      const out = yield* flow.run(1).pipe(WorkflowContext.provide({ workflowId: "wf-1" }), rec.provide)
      assert.strictEqual(out, 3)
      const seq = rec.named("tta.sequence")
      const steps = rec.named("tta.step")
      assert.strictEqual(seq.length, 1)
      assert.strictEqual(steps.length, 2)
      assert.strictEqual(attr(seq[0], "tta.primitive.name"), "two-incs")
      assert.strictEqual(attr(seq[0], "tta.workflow.id"), "wf-1")
      for (const s of steps) {
        assert.strictEqual(attr(s, "tta.primitive.name"), "inc")
        assert.strictEqual(attr(s, "tta.workflow.id"), "wf-1")
        // Children nest under the sequence span.
        assert.strictEqual(s.parent._tag === "Some" ? s.parent.value.spanId : undefined, seq[0]!.spanId)
        assert.strictEqual(s.status._tag, "Ended")
      }
    })
  )

  it.effect("a failing run ends its span with the failure and counts an error", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const boom = step("boom", (_: number) => Effect.fail("nope" as const))
      const { result, snapshot } = yield* withMetrics(rec.provide(boom.run(1)))
      assert.isTrue(Exit.isFailure(result))
      const span = rec.named("tta.step")[0]!
      assert.isTrue(span.status._tag === "Ended" && Exit.isFailure(span.status.exit))
      assert.strictEqual(metric(snapshot, Metrics.names.errors, "boom"), 1)
      assert.strictEqual(metric(snapshot, Metrics.names.duration, "boom"), 1)
    })
  )

  it.effect("every step sees the WorkflowContext", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const look = step("look", (n: number) =>
        Effect.map(WorkflowContext, (ctx) => {
          seen.push(`${ctx.workflowId}:${ctx.tags.join(",")}:${String(ctx.metadata.user)}`)
          return n
        })
      )
      yield* parallel([look, look])
        .run(0)
        .pipe(WorkflowContext.provide({ workflowId: "w", tags: ["a", "b"], metadata: { user: "ann" } }))
      assert.deepStrictEqual(seen, ["w:a,b:ann", "w:a,b:ann"])
    })
  )

  it("describe returns the tree as data; toMermaid draws it", () => {
    const fetch = step("fetch", (q: string) => Effect.succeed(q.length))
    const flow = sequence(
      fetch.pipe(retry({ times: 2 })),
      route((n: number) => (n > 3 ? "long" : "short"), { long: inc, short: inc })
    ).pipe(withName("flow"))
    const tree = describeTree(flow)
    assert.strictEqual(tree.kind, "sequence")
    assert.strictEqual(tree.name, "flow")
    assert.deepStrictEqual(
      tree.children.map((c) => c.kind),
      ["retry", "route"]
    )
    assert.strictEqual(tree.children[0]!.meta.times, 2)
    assert.strictEqual(tree.children[0]!.children[0]!.name, "fetch")
    assert.deepStrictEqual(tree.children[1]!.meta.routes, ["long", "short"])
    const mermaid = toMermaid(flow)
    assert.strictEqual(mermaid.split("\n")[0], "flowchart TD")
    assert.include(mermaid, 'n0["sequence: flow"]')
    assert.include(mermaid, 'n0 -->|"1"| n1')
    assert.include(mermaid, '-->|"long"|')
    assert.include(mermaid, '["fetch"]')
    // JSON-serialisable as is.
    assert.deepStrictEqual(JSON.parse(JSON.stringify(flow)), JSON.parse(JSON.stringify(tree)))
  })
})

describe("withName", () => {
  it.effect("keeps what a combinator attached (shared state, compensation)", () =>
    Effect.gen(function* () {
      const c = cache(inc, { key: String }).pipe(withName("cached-inc"))
      assert.strictEqual(c.name, "cached-inc")
      assert.strictEqual(yield* c.run(1), 2)
      assert.strictEqual(yield* (c as unknown as Cache.Cached<number, number, never, never>).size, 1)
      const undone: Array<number> = []
      const s = saga(
        inc.pipe(
          compensate((out: number) => Effect.sync(() => undone.push(out))),
          withName("first")
        ),
        step("fail", (_: number) => Effect.fail("x"))
      )
      yield* Effect.flip(s.run(1))
      assert.deepStrictEqual(undone, [2])
    })
  )
})
