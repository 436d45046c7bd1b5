// Spans only when a tracer is installed: with one, every primitive run, retry attempt and saga
// compensation is a span as before; with Effect's default tracer (or tracing switched off) the
// primitives run, measure and see their WorkflowContext without opening any span.
import { assert, describe, it } from "@effect/vitest"
import {
  cache,
  compensate,
  Metrics,
  Primitive,
  retry,
  saga,
  sequence,
  step,
  WorkflowContext,
  withName
} from "@tta/core"
import { Effect, Exit, Option } from "effect"
import { attr, metric, recorder, withMetrics } from "./support.ts"

// A step that reports the span it runs under (none when no span is open) and its workflow id.
const probe = step("probe", (_: number) =>
  Effect.gen(function* () {
    const span = yield* Effect.option(Effect.currentSpan)
    const workflow = yield* Effect.serviceOption(WorkflowContext)
    return {
      span: Option.getOrUndefined(Option.map(span, (s) => s.name)),
      workflowId: Option.getOrUndefined(Option.map(workflow, (w) => w.workflowId))
    }
  })
)

const flaky = () => {
  let calls = 0
  return step("flaky", (n: number) =>
    Effect.suspend(() => (++calls < 3 ? Effect.fail("transient" as const) : Effect.succeed(n)))
  )
}

describe("tracing", () => {
  it.effect("without a tracer installed a run opens no span, and still measures and sees its workflow", () =>
    Effect.gen(function* () {
      const flow = sequence(
        probe,
        step("id", (x: { span?: string | undefined }) => Effect.succeed(x))
      ).pipe(withName("probed"))
      const { result, snapshot } = yield* withMetrics(
        flow.run(1).pipe(WorkflowContext.provide({ workflowId: "wf-2" }))
      )
      assert.deepStrictEqual(result, Exit.succeed({ span: undefined, workflowId: "wf-2" }))
      assert.strictEqual(metric(snapshot, Metrics.names.duration, "probed"), 1)
      assert.strictEqual(metric(snapshot, Metrics.names.duration, "probe"), 1)
      assert.isFalse(yield* Effect.withFiber((fiber) => Effect.succeed(Primitive.isTracing(fiber))))
    })
  )

  it.effect("with a tracer installed the same run is a tta.<kind> span", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const out = yield* probe.run(1).pipe(WorkflowContext.provide({ workflowId: "wf-3" }), rec.provide)
      assert.deepStrictEqual(out, { span: "tta.step", workflowId: "wf-3" })
      const [span] = rec.named("tta.step")
      assert.strictEqual(attr(span, "tta.primitive.name"), "probe")
      assert.strictEqual(attr(span, "tta.workflow.id"), "wf-3")
      assert.isTrue(
        yield* rec.provide(Effect.withFiber((fiber) => Effect.succeed(Primitive.isTracing(fiber))))
      )
    })
  )

  it.effect("with a tracer installed retry attempts and saga compensations are spans", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const retried = flaky().pipe(retry({ times: 3 }))
      assert.strictEqual(yield* rec.provide(retried.run(7)), 7)
      const attempts = rec.named("tta.retry.attempt")
      assert.deepStrictEqual(
        attempts.map((s) => attr(s, "tta.retry.attempt")),
        [1, 2, 3]
      )
      assert.strictEqual(attr(rec.named("tta.retry")[0], "tta.retry.attempts"), 3)

      const undone: Array<number> = []
      const book = compensate(
        step("book", (n: number) => Effect.succeed(n)),
        (n: number) => Effect.sync(() => void undone.push(n))
      )
      const fail = step("fail", (_: number) => Effect.fail("no" as const))
      const exit = yield* Effect.exit(rec.provide(saga(book, fail).run(5)))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(undone, [5])
      const [undo] = rec.named("tta.saga.compensate")
      assert.strictEqual(attr(undo, "tta.saga.step"), "book")
    })
  )

  it.effect("Effect.withTracerEnabled(false) switches the spans off even with a tracer installed", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const retried = flaky().pipe(retry({ times: 3 }))
      const { result, snapshot } = yield* withMetrics(
        rec.provide(Effect.withTracerEnabled(retried.run(7), false))
      )
      assert.deepStrictEqual(result, Exit.succeed(7))
      assert.deepStrictEqual(rec.spans, [])
      assert.strictEqual(metric(snapshot, Metrics.names.retries, "retry(flaky)"), 2)
      assert.strictEqual(metric(snapshot, Metrics.names.errors, "flaky"), 2)
    })
  )

  it.effect("without a tracer no span attribute lands on the caller's own span", () =>
    Effect.gen(function* () {
      const cached = probe.pipe(cache({ key: String }))
      const retried = flaky().pipe(retry({ times: 3 }))
      const outer = yield* Effect.andThen(cached.run(1), retried.run(1)).pipe(
        Effect.andThen(Effect.currentSpan),
        Effect.withSpan("outer")
      )
      assert.strictEqual(outer.name, "outer")
      assert.deepStrictEqual([...outer.attributes.keys()], [])
    })
  )
})
