// Test helpers: an in-memory tracer (Effect's Tracer API, spans kept in an array) and a fresh
// metric registry per test, so assertions read real spans and real metric state.
import { Metrics } from "@tta/core"
import { Effect, Metric, Tracer } from "effect"

export interface Recorded {
  readonly spans: Array<Tracer.NativeSpan>
  readonly named: (name: string) => Array<Tracer.NativeSpan>
  readonly provide: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const recorder = (): Recorded => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return {
    spans,
    named: (name) => spans.filter((s) => s.name === name),
    provide: (self) => Effect.withTracer(self, tracer)
  }
}

/**
 * Runs `self` with its own metric registry and primitive metrics on (a metrics consumer is
 * installed: this test reads them), and hands back the snapshot with the result.
 */
export const withMetrics = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provideService(
    Effect.gen(function* () {
      const result = yield* Effect.exit(Metrics.withMetrics(self))
      const snapshot = yield* Metric.snapshot
      return { result, snapshot }
    }),
    Metric.MetricRegistry,
    new Map()
  )

/** Value of a counter or gauge series (0 when absent) for one primitive. */
export const metric = (
  snapshot: ReadonlyArray<Metric.Metric.Snapshot>,
  id: string,
  primitive: string
): number => {
  const found = snapshot.find((s) => s.id === id && s.attributes?.["tta.primitive.name"] === primitive)
  if (found === undefined) return 0
  if (found.type === "Counter") return Number(found.state.count)
  if (found.type === "Gauge") return Number(found.state.value)
  if (found.type === "Histogram") return found.state.count
  throw new Error(`unexpected metric type ${found.type}`)
}

export const attr = (span: Tracer.NativeSpan | undefined, key: string): unknown => span?.attributes.get(key)
