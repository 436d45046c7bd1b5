/**
 * The Effect `Metric`s every primitive reports. Each series carries the attributes
 * `tta.primitive.name` and `tta.primitive.kind`, so one primitive's figures can be told apart.
 */
import { Metric } from "effect"

export const names = {
  duration: "tta.primitive.duration",
  errors: "tta.primitive.errors",
  retries: "tta.retry.retries",
  cacheHits: "tta.cache.hits",
  cacheMisses: "tta.cache.misses",
  breakerState: "tta.circuit_breaker.state"
} as const

/** Values of the `tta.circuit_breaker.state` gauge. */
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
