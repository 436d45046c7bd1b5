/**
 * The span/metric sinks behind `Observability.layer`: a readable console tree,
 * an in-memory recorder, and a pull-on-demand metric reader.
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core"
import { MetricReader, type PushMetricExporter, type ResourceMetrics } from "@opentelemetry/sdk-metrics"
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as MetricData from "./MetricData.ts"
import { type FinishedSpan, fromReadableSpan } from "./SpanData.ts"
import * as SpanTree from "./SpanTree.ts"

export type Write = (text: string) => void

const stdout: Write = (text) => {
  process.stdout.write(`${text}\n`)
}

/**
 * Prints each trace as an indented tree once its local root span ends (children
 * end first, so the whole subtree is known by then). Spans still buffered at
 * flush/shutdown (e.g. from detached fibers) are printed as they are.
 */
export class ConsoleTreeSpanExporter implements SpanExporter {
  readonly #write: Write
  readonly #pending = new Map<string, Array<FinishedSpan>>()

  constructor(write: Write = stdout) {
    this.#write = write
  }

  export(spans: Array<ReadableSpan>, resultCallback: (result: ExportResult) => void): void {
    for (const readable of spans) {
      const span = fromReadableSpan(readable)
      const buffered = this.#pending.get(span.traceId) ?? []
      buffered.push(span)
      this.#pending.set(span.traceId, buffered)
      if (span.parentSpanId === undefined || readable.parentSpanContext?.isRemote === true) {
        this.#print(span.traceId)
      }
    }
    resultCallback({ code: ExportResultCode.SUCCESS })
  }

  #print(traceId: string) {
    const spans = this.#pending.get(traceId)
    this.#pending.delete(traceId)
    if (spans && spans.length > 0) this.#write(SpanTree.render(SpanTree.fromSpans(spans)))
  }

  forceFlush(): Promise<void> {
    for (const traceId of [...this.#pending.keys()]) this.#print(traceId)
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return this.forceFlush()
  }
}

/** Readable `name{attrs} value` lines instead of the SDK's raw object dump. */
export class ConsoleMetricExporter implements PushMetricExporter {
  readonly #write: Write

  constructor(write: Write = stdout) {
    this.#write = write
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const points = MetricData.fromResourceMetrics(metrics)
    if (points.length > 0) {
      const service = metrics.resource.attributes["service.name"]
      this.#write(
        `metrics${service === undefined ? "" : ` (${String(service)})`}\n${MetricData.render(points)}`
      )
    }
    resultCallback({ code: ExportResultCode.SUCCESS })
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/**
 * Keeps finished spans in memory (up to `maxSpans`, oldest dropped first).
 * Conversion to {@link FinishedSpan} is deferred to read time to keep `onEnd` cheap.
 */
export class RecordingSpanProcessor implements SpanProcessor {
  readonly maxSpans: number
  #spans: Array<ReadableSpan> = []
  #dropped = 0

  constructor(maxSpans = 100_000) {
    this.maxSpans = maxSpans
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.#spans.push(span)
    if (this.#spans.length > this.maxSpans) {
      this.#spans.shift()
      this.#dropped++
    }
  }

  /** Finished spans, in the order they ended. */
  spans(): ReadonlyArray<FinishedSpan> {
    return this.#spans.map(fromReadableSpan)
  }

  /** How many spans were dropped because `maxSpans` was reached. */
  get dropped(): number {
    return this.#dropped
  }

  reset(): void {
    this.#spans = []
    this.#dropped = 0
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A metric reader that only collects when asked (`collect()`), for tests and reports. */
export class PullMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }

  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}
