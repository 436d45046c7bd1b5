/**
 * The Effect `Metric`s every primitive reports. Each series carries the attributes
 * `tta.primitive.name` and `tta.primitive.kind`, so one primitive's figures can be told apart.
 *
 * Primitives update them only when a metrics consumer is installed ({@link Enabled}), just as
 * they open spans only when a tracer is: with nobody reading the registry, a run costs no clock
 * read and no histogram update. `@tta/observability`'s layer turns them on.
 */
import { Clock, Context, Effect, type Fiber, Layer, Metric } from "effect"

/**
 * Whether someone reads the metrics primitives report (an OpenTelemetry metric reader, a test
 * taking `Metric.snapshot`). False by default: primitives then record nothing. Turned on by
 * `@tta/observability`'s layer; turn it on yourself with {@link layer} or {@link withMetrics} when
 * you read Effect's metric registry another way (your own `OtelMetrics.layer`, Prometheus, ...).
 */
export const Enabled = Context.Reference<boolean>("@tta/core/Metrics/Enabled", { defaultValue: () => false })

/** Provides {@link Enabled} = true: primitives record their metrics. */
export const layer: Layer.Layer<never> = Layer.succeed(Enabled, true)

/** Runs `self` with primitive metrics recorded (see {@link Enabled}). */
export const withMetrics = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, Enabled, true)

/** Whether this fiber records primitive metrics (one context lookup). */
export const isEnabled = (fiber: Fiber.Fiber<unknown, unknown>): boolean => fiber.getRef(Enabled)

// The clock every fiber gets unless one is provided (TestClock, a custom Clock).
const defaultClock = Context.get(Context.empty(), Clock.Clock)

/**
 * A monotonic timestamp in milliseconds from the fiber's `Clock`: `performance.now()` under the
 * default clock (a double, where `monotonicTimeNanosUnsafe` allocates a bigint per read), the
 * clock's own reading otherwise, so a `TestClock` still decides durations in tests.
 */
export const monotonicMillis = (clock: Clock.Clock): number =>
  clock === defaultClock ? performance.now() : Number(clock.monotonicTimeNanosUnsafe()) / 1e6

export const names = {
  duration: "tta.primitive.duration",
  errors: "tta.primitive.errors",
  retries: "tta.retry.retries",
  cacheHits: "tta.cache.hits",
  cacheMisses: "tta.cache.misses",
  breakerState: "tta.circuit-breaker.state"
} as const

/** Values of the `tta.circuit-breaker.state` gauge. */
export const breakerStateValue = { closed: 0, "half-open": 1, open: 2 } as const

export const attributes = (name: string, kind: string): Metric.Metric.AttributeSet => ({
  "tta.primitive.name": name,
  "tta.primitive.kind": kind
})

const durationBoundaries = Metric.exponentialBoundaries({ start: 0.05, factor: 2, count: 24 })

/** Run duration in milliseconds (histogram), one series per primitive. */
export const duration = (attrs: Metric.Metric.AttributeSet) =>
  Metric.histogram(names.duration, {
    description: "Duration of one primitive run (milliseconds)",
    attributes: { ...attrs, time_unit: "milliseconds" },
    boundaries: durationBoundaries
  })

/** Runs that ended in a typed error or a defect (interruptions are not counted). */
export const errors = (attrs: Metric.Metric.AttributeSet) =>
  Metric.counter(names.errors, { description: "Failed primitive runs", attributes: attrs, incremental: true })

/** Retries made by a `retry` primitive (attempts after the first). */
export const retries = (attrs: Metric.Metric.AttributeSet) =>
  Metric.counter(names.retries, { description: "Retry attempts", attributes: attrs, incremental: true })

export const cacheHits = (attrs: Metric.Metric.AttributeSet) =>
  Metric.counter(names.cacheHits, { description: "Cache hits", attributes: attrs, incremental: true })

export const cacheMisses = (attrs: Metric.Metric.AttributeSet) =>
  Metric.counter(names.cacheMisses, { description: "Cache misses", attributes: attrs, incremental: true })

/** 0 closed, 1 half-open, 2 open (see `breakerStateValue`). */
export const breakerState = (attrs: Metric.Metric.AttributeSet) =>
  Metric.gauge(names.breakerState, { description: "Circuit breaker state", attributes: attrs })
