/**
 * One layer that turns the spans and metrics every @tta package emits into
 * OpenTelemetry output: a readable console tree, OTLP/HTTP, memory, or nothing.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import type * as Resource from "@effect/opentelemetry/Resource"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Metrics } from "@tta/core"
import { Config, Context, Effect, Layer, Option, Schema } from "effect"
import {
  ConsoleMetricExporter,
  ConsoleTreeSpanExporter,
  PullMetricReader,
  RecordingSpanProcessor,
  type Write
} from "./Exporters.ts"
import * as MetricData from "./MetricData.ts"
import type { FinishedSpan } from "./SpanData.ts"
import * as SpanTree from "./SpanTree.ts"

export type Exporter = "console" | "otlp" | "memory" | "none"

const exporters: ReadonlyArray<Exporter> = ["console", "otlp", "memory", "none"]

export interface Options {
  readonly serviceName: string
  readonly serviceVersion?: string
  /** Extra resource attributes (merged over `OTEL_RESOURCE_ATTRIBUTES`). */
  readonly attributes?: Readonly<Record<string, string>>
  /**
   * `console`: each trace printed as an indented tree when its root span ends, metrics as lines.
   * `otlp`: OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` (default http://localhost:4318),
   * honouring the standard `OTEL_EXPORTER_OTLP_*`, `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER*`,
   * `OTEL_METRIC_EXPORT_*` variables. `memory`: finished spans and metrics kept for
   * {@link Observability}'s `spans` / `trace` / `metrics`. `none`: nothing exported.
   */
  readonly exporter: Exporter
  /** Also keep finished spans in memory with a non-memory exporter (e.g. to write a report). */
  readonly record?: boolean
  /** Cap on spans kept in memory; the oldest are dropped first. Default 100 000. */
  readonly maxSpans?: number
  /** Periodic metric export interval in ms. Default `OTEL_METRIC_EXPORT_INTERVAL`, else 60 000. */
  readonly metricExportIntervalMillis?: number
  /** Where the console exporter writes. Default: stdout. */
  readonly write?: Write
}

export class ObservabilityConfigError extends Schema.TaggedError<ObservabilityConfigError>()(
  "ObservabilityConfigError",
  { field: Schema.String, message: Schema.String }
) {}

export class Observability extends Context.Service<
  Observability,
  {
    readonly exporter: Exporter
    readonly serviceName: string
    /** Finished spans recorded in memory (memory exporter, or `record: true`), in end order. */
    readonly spans: Effect.Effect<ReadonlyArray<FinishedSpan>>
    /** The recorded spans as trees, built from their parent span ids. */
    readonly trace: Effect.Effect<ReadonlyArray<SpanTree.SpanNode>>
    /** Collects every Effect metric now (any exporter). */
    readonly metrics: Effect.Effect<ReadonlyArray<MetricData.MetricPoint>>
    /** Pushes buffered spans and metrics to the exporter now. */
    readonly flush: Effect.Effect<void>
    /** Forgets the recorded spans. */
    readonly reset: Effect.Effect<void>
  }
>()("@tta/observability/Observability") {}

const invalid = (field: string, message: string) =>
  Effect.fail(new ObservabilityConfigError({ field, message }))

const envInterval = Config.option(Config.Int("OTEL_METRIC_EXPORT_INTERVAL"))
const envTimeout = Config.option(Config.Int("OTEL_METRIC_EXPORT_TIMEOUT"))
const envDisabled = Config.Boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false))
const envProtocol = Config.String("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").pipe(
  Config.orElse(() => Config.String("OTEL_EXPORTER_OTLP_PROTOCOL")),
  Config.option
)

/**
 * The OpenTelemetry layer (on `@effect/opentelemetry`'s NodeSdk): installs the OTel
 * tracer so every `Effect.withSpan` / `Effect.fn` span is exported, registers the Effect
 * metric registry with the chosen metric exporter, turns on @tta/core's primitive metrics
 * (`Metrics.Enabled`, off while nobody reads them), and provides {@link Observability}.
 * `OTEL_SDK_DISABLED=true` turns any exporter into `none`.
 */
export const layer = (
  options: Options
): Layer.Layer<Observability | Resource.Resource, ObservabilityConfigError> =>
  Layer.unwrap(
    Effect.gen(function* () {
      if (typeof options.serviceName !== "string" || options.serviceName.trim() === "") {
        return yield* invalid("serviceName", "Observability.layer: serviceName must be a non-empty string")
      }
      if (!exporters.includes(options.exporter)) {
        return yield* invalid(
          "exporter",
          `Observability.layer: exporter must be one of ${exporters.join(", ")}, got ${JSON.stringify(options.exporter)}`
        )
      }
      const maxSpans = options.maxSpans ?? 100_000
      if (!Number.isInteger(maxSpans) || maxSpans < 1) {
        return yield* invalid(
          "maxSpans",
          `Observability.layer: maxSpans must be a positive integer, got ${maxSpans}`
        )
      }
      const configError = (name: string) => (error: unknown) =>
        new ObservabilityConfigError({ field: name, message: `${name}: ${String(error)}` })
      const disabled = yield* envDisabled.pipe(Effect.mapError(configError("OTEL_SDK_DISABLED")))
      const interval =
        options.metricExportIntervalMillis ??
        Option.getOrElse(
          yield* envInterval.pipe(Effect.mapError(configError("OTEL_METRIC_EXPORT_INTERVAL"))),
          () => 60_000
        )
      if (!Number.isFinite(interval) || interval <= 0) {
        return yield* invalid(
          "metricExportIntervalMillis",
          `Observability.layer: metric export interval must be a positive number of ms, got ${interval}`
        )
      }
      // The SDK rejects a timeout longer than the interval.
      const timeout = Math.min(
        interval,
        Option.getOrElse(
          yield* envTimeout.pipe(Effect.mapError(configError("OTEL_METRIC_EXPORT_TIMEOUT"))),
          () => 30_000
        )
      )

      const exporter: Exporter = disabled ? "none" : options.exporter
      const recorder =
        exporter === "memory" || options.record === true ? new RecordingSpanProcessor(maxSpans) : undefined
      const pull = new PullMetricReader()
      const processors: Array<SpanProcessor> = recorder ? [recorder] : []
      const readers: Array<MetricReader> = [pull]
      if (exporter === "console") {
        processors.push(new SimpleSpanProcessor(new ConsoleTreeSpanExporter(options.write)))
        readers.push(
          new PeriodicExportingMetricReader({
            exporter: new ConsoleMetricExporter(options.write),
            exportIntervalMillis: interval,
            exportTimeoutMillis: timeout
          })
        )
      } else if (exporter === "otlp") {
        const protocol = yield* envProtocol.pipe(Effect.orElseSucceed(() => Option.none<string>()))
        if (Option.isSome(protocol) && protocol.value !== "http/json") {
          yield* Effect.logWarning(
            `Observability.layer: OTEL_EXPORTER_OTLP_PROTOCOL=${protocol.value} is not supported; sending http/json`
          )
        }
        // Both exporters read OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout, compression) themselves.
        processors.push(new BatchSpanProcessor(new OTLPTraceExporter()))
        readers.push(
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter(),
            exportIntervalMillis: interval,
            exportTimeoutMillis: timeout
          })
        )
      }

      const sdk = NodeSdk.layer(() => ({
        spanProcessor: processors,
        metricReader: readers,
        resource: {
          serviceName: options.serviceName,
          ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
          ...(options.attributes === undefined ? {} : { attributes: options.attributes })
        }
      }))

      const spans = Effect.sync(() => recorder?.spans() ?? [])
      const service = Layer.succeed(Observability, {
        exporter,
        serviceName: options.serviceName,
        spans,
        trace: Effect.map(spans, SpanTree.fromSpans),
        metrics: Effect.promise(() => pull.collect()).pipe(
          Effect.map((result) => MetricData.fromResourceMetrics(result.resourceMetrics))
        ),
        flush: Effect.promise(() =>
          Promise.all([
            ...processors.map((processor) => processor.forceFlush()),
            ...readers.map((reader) => reader.forceFlush())
          ])
        ).pipe(Effect.asVoid),
        reset: Effect.sync(() => recorder?.reset())
      })
      // Primitives record their metrics only when someone reads them: this layer does.
      return Layer.mergeAll(sdk, service, Metrics.layer)
    })
  )

/** `layer({ serviceName, exporter: "memory" })`: for tests and reports. */
export const memory = (serviceName = "tta-test"): Layer.Layer<Observability | Resource.Resource> =>
  layer({ serviceName, exporter: "memory" }).pipe(Layer.orDie)

/** The recorded finished spans (see {@link Observability}). */
export const spans: Effect.Effect<ReadonlyArray<FinishedSpan>, never, Observability> = Observability.use(
  (o) => o.spans
)

/** The recorded spans as trees. */
export const trace: Effect.Effect<ReadonlyArray<SpanTree.SpanNode>, never, Observability> = Observability.use(
  (o) => o.trace
)

/** Every Effect metric, collected now. */
export const metrics: Effect.Effect<
  ReadonlyArray<MetricData.MetricPoint>,
  never,
  Observability
> = Observability.use((o) => o.metrics)

/** Pushes buffered spans and metrics to the exporter now. */
export const flush: Effect.Effect<void, never, Observability> = Observability.use((o) => o.flush)
