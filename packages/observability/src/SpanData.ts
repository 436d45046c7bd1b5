/**
 * Finished spans as plain data: what the memory exporter keeps, what the
 * console tree and the HTML report draw, and what tests assert on.
 */
import type { Attributes, AttributeValue, HrTime } from "@opentelemetry/api"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"

export type SpanKind = "internal" | "server" | "client" | "producer" | "consumer"

export type SpanStatus = "unset" | "ok" | "error"

export interface SpanEvent {
  readonly name: string
  /** Epoch milliseconds (fractional). */
  readonly time: number
  readonly attributes: Readonly<Record<string, AttributeValue>>
}

export interface FinishedSpan {
  readonly traceId: string
  readonly spanId: string
  /** `undefined` for a root span (no parent, or the parent lives in another process). */
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly kind: SpanKind
  /** Epoch milliseconds (fractional). */
  readonly startTime: number
  readonly endTime: number
  readonly durationMs: number
  readonly status: SpanStatus
  /** The status description of an error span (the first error's message for Effect spans). */
  readonly statusMessage: string | undefined
  readonly attributes: Readonly<Record<string, AttributeValue>>
  readonly events: ReadonlyArray<SpanEvent>
  /** The instrumentation scope (tracer) name, e.g. the service name for Effect spans. */
  readonly scope: string
}

const kinds: ReadonlyArray<SpanKind> = ["internal", "server", "client", "producer", "consumer"]
const statuses: ReadonlyArray<SpanStatus> = ["unset", "ok", "error"]

/** OTel high-resolution time → epoch milliseconds. */
export const hrTimeToMillis = (time: HrTime): number => time[0] * 1000 + time[1] / 1e6

const plain = (attributes: Attributes): Record<string, AttributeValue> => {
  const out: Record<string, AttributeValue> = {}
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) out[key] = value
  }
  return out
}

/** Converts an OTel SDK span into {@link FinishedSpan}. */
export const fromReadableSpan = (span: ReadableSpan): FinishedSpan => {
  const context = span.spanContext()
  const parent = span.parentSpanContext
  const startTime = hrTimeToMillis(span.startTime)
  const endTime = hrTimeToMillis(span.endTime)
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId,
    name: span.name,
    kind: kinds[span.kind] ?? "internal",
    startTime,
    endTime,
    durationMs: hrTimeToMillis(span.duration),
    status: statuses[span.status.code] ?? "unset",
    statusMessage: span.status.message,
    attributes: plain(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      time: hrTimeToMillis(event.time),
      attributes: plain(event.attributes ?? {})
    })),
    scope: span.instrumentationScope.name
  }
}
