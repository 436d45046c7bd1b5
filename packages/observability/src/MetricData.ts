/**
 * Collected metrics as plain data (one entry per series), and their readable
 * text form used by the console exporter.
 */
import type { AttributeValue } from "@opentelemetry/api"
import { DataPointType, type ResourceMetrics } from "@opentelemetry/sdk-metrics"

export interface HistogramValue {
  readonly count: number
  readonly sum: number | undefined
  readonly min: number | undefined
  readonly max: number | undefined
}

export interface MetricPoint {
  readonly name: string
  readonly description: string
  readonly unit: string
  readonly type: "sum" | "gauge" | "histogram"
  readonly attributes: Readonly<Record<string, AttributeValue>>
  /** A number for sums and gauges; count/sum/min/max for histograms. */
  readonly value: number | HistogramValue
}

const plain = (attributes: Readonly<Record<string, AttributeValue | undefined>>) => {
  const out: Record<string, AttributeValue> = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value
  return out
}

export const fromResourceMetrics = (resourceMetrics: ResourceMetrics): ReadonlyArray<MetricPoint> => {
  const points: Array<MetricPoint> = []
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const { name, description, unit } = metric.descriptor
      switch (metric.dataPointType) {
        case DataPointType.SUM:
        case DataPointType.GAUGE:
          for (const point of metric.dataPoints) {
            points.push({
              name,
              description,
              unit,
              type: metric.dataPointType === DataPointType.SUM ? "sum" : "gauge",
              attributes: plain(point.attributes),
              value: point.value
            })
          }
          break
        case DataPointType.HISTOGRAM:
        case DataPointType.EXPONENTIAL_HISTOGRAM:
          for (const point of metric.dataPoints) {
            points.push({
              name,
              description,
              unit,
              type: "histogram",
              attributes: plain(point.attributes),
              value: {
                count: point.value.count,
                sum: point.value.sum,
                min: point.value.min,
                max: point.value.max
              }
            })
          }
          break
      }
    }
  }
  return points
}

const fmt = (n: number | undefined) =>
  n === undefined ? "-" : Number.isInteger(n) ? String(n) : n.toFixed(3)

/** `name{k=v,...} value` lines, sorted by name. */
export const render = (points: ReadonlyArray<MetricPoint>): string =>
  [...points]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((point) => {
      const attrs = Object.entries(point.attributes)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(",")
      const series = attrs ? `${point.name}{${attrs}}` : point.name
      const unit = point.unit && point.unit !== "1" ? ` ${point.unit}` : ""
      const value =
        typeof point.value === "number"
          ? `${fmt(point.value)}${unit}`
          : `count=${point.value.count} sum=${fmt(point.value.sum)}${unit} min=${fmt(point.value.min)} max=${fmt(point.value.max)}`
      return `  ${series} ${value}`
    })
    .join("\n")
