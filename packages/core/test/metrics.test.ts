// Metrics only when a metrics consumer is installed (Metrics.Enabled), as spans only with a tracer:
// with neither, a tree of primitives runs plain and records nothing; with a consumer every run is
// measured by the fiber's Clock; a primitive inside the tree that installs a tracer itself still
// gets its children traced.
import { assert, describe, it } from "@effect/vitest"
import { cache, Metrics, make, map, parallel, retry, sequence, step, tap, withName } from "@tta/core"
import { Effect, Exit, Fiber, Metric } from "effect"
import { TestClock } from "effect/testing"
import { metric, recorder, withMetrics } from "./support.ts"

const flaky = () => {
  let calls = 0
  return step("flaky", (n: number) =>
    Effect.suspend(() => (++calls < 3 ? Effect.fail("transient" as const) : Effect.succeed(n)))
  )
}

const inc = step("inc", (n: number) => Effect.succeed(n + 1))

// Every kind of run that reports a metric: durations, errors, retries, cache hits and misses.
const everything = () =>
  sequence(
    inc,
    parallel({ a: inc, b: inc.pipe(map((n) => n * 2)) }),
    step("sum", ({ a, b }: { a: number; b: number }) => Effect.succeed(a + b)),
    flaky().pipe(retry({ times: 3 })),
    inc.pipe(cache({ key: String })),
    inc.pipe(tap(() => Effect.void))
  ).pipe(withName("everything"))

describe("metrics", () => {
  it.effect("with no metrics consumer and no tracer nothing is recorded, and the results are the same", () =>
    Effect.gen(function* () {
      const registry = new Map()
      const flow = everything()
      const out = yield* Effect.provideService(
        Effect.all([flow.run(1), flow.run(1)]),
        Metric.MetricRegistry,
        registry
      )
      assert.deepStrictEqual(out, [11, 11])
      assert.deepStrictEqual(
        yield* Effect.provideService(Metric.snapshot, Metric.MetricRegistry, registry),
        []
      )
      const measured = yield* withMetrics(flow.run(1))
      assert.deepStrictEqual(measured.result, Exit.succeed(11))
    })
  )

  it.effect("with a metrics consumer every run, retry and cache lookup is counted", () =>
    Effect.gen(function* () {
      const flow = everything()
      const { result, snapshot } = yield* withMetrics(Effect.all([flow.run(1), flow.run(1)]))
      assert.deepStrictEqual(result, Exit.succeed([11, 11]))
      assert.strictEqual(metric(snapshot, Metrics.names.duration, "everything"), 2)
      // inc runs in the head, both branches, behind the cache (once: the second run hits) and the tap.
      assert.strictEqual(metric(snapshot, Metrics.names.duration, "inc"), 2 * 4 + 1)
      assert.strictEqual(metric(snapshot, Metrics.names.errors, "flaky"), 2)
      assert.strictEqual(metric(snapshot, Metrics.names.retries, "retry(flaky)"), 2)
      assert.strictEqual(metric(snapshot, Metrics.names.cacheHits, "cache(inc)"), 1)
      assert.strictEqual(metric(snapshot, Metrics.names.cacheMisses, "cache(inc)"), 1)
    })
  )

  it.effect("a tracer without a metrics consumer gives the spans and no metric", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const registry = new Map()
      const out = yield* Effect.provideService(
        rec.provide(everything().run(1)),
        Metric.MetricRegistry,
        registry
      )
      assert.strictEqual(out, 11)
      assert.strictEqual(rec.named("tta.sequence").length, 1)
      assert.strictEqual(rec.named("tta.retry.attempt").length, 3)
      assert.deepStrictEqual(
        yield* Effect.provideService(Metric.snapshot, Metric.MetricRegistry, registry),
        []
      )
    })
  )

  it.effect("durations come from the fiber's Clock (TestClock here)", () =>
    Effect.gen(function* () {
      const slow = step("slow", (n: number) => Effect.as(Effect.sleep("3 seconds"), n))
      const { result, snapshot } = yield* withMetrics(
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(sequence(slow, slow).run(0))
          yield* TestClock.adjust("6 seconds")
          return yield* Fiber.join(fiber)
        })
      )
      assert.deepStrictEqual(result, Exit.succeed(0))
      const series = snapshot.find(
        (s) => s.id === Metrics.names.duration && s.attributes?.["tta.primitive.name"] === "slow"
      )
      assert.strictEqual(series?.type, "Histogram")
      if (series?.type === "Histogram") {
        assert.strictEqual(series.state.count, 2)
        assert.strictEqual(series.state.sum, 6000)
      }
    })
  )

  it.effect("a custom primitive that installs a tracer inside a plain tree still traces its children", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const inner = sequence(inc, inc)
      const tracedInside = make({
        name: "traced-inside",
        children: [inner],
        run: (n: number) => rec.provide(inner.run(n))
      })
      const flow = sequence(inc, tracedInside, parallel([inc, tracedInside]))
      assert.deepStrictEqual(yield* flow.run(0), [4, 5])
      // inner runs twice, each a sequence span over two step spans; nothing outside is traced.
      assert.strictEqual(rec.named("tta.sequence").length, 2)
      assert.strictEqual(rec.named("tta.step").length, 4)
      assert.strictEqual(rec.named("tta.parallel").length, 0)
    })
  )
})
