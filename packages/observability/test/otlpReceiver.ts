/**
 * A minimal OTLP/HTTP receiver for tests: listens on 127.0.0.1 (random port) and decodes
 * each request body per the OTLP/JSON mapping into otlp-transformer's request types
 * (the exporters here send http/json), then into plain span records.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type {
  Fixed64,
  IAnyValue,
  IKeyValue
} from "@opentelemetry/otlp-transformer/build/src/common/internal-types.js"
import type { IExportMetricsServiceRequest } from "@opentelemetry/otlp-transformer/build/src/metrics/internal-types.js"
import type { IExportTraceServiceRequest } from "@opentelemetry/otlp-transformer/build/src/trace/internal-types.js"

export interface Received {
  readonly path: string
  readonly contentType: string | undefined
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  readonly close: () => Promise<void>
}

export const startReceiver = (): Promise<Receiver> =>
  new Promise((resolve, reject) => {
    const received: Array<Received> = []
    const server: Server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        received.push({
          path: req.url ?? "",
          contentType: req.headers["content-type"],
          headers: req.headers,
          body: Buffer.concat(chunks)
        })
        res.writeHead(200, { "content-type": "application/json" })
        res.end("{}")
      })
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

export type Value =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<Value>
  | { readonly [key: string]: Value }

const anyValue = (value: IAnyValue): Value => {
  if (value.stringValue != null) return value.stringValue
  if (value.boolValue != null) return value.boolValue
  if (value.intValue != null) return Number(value.intValue)
  if (value.doubleValue != null) return value.doubleValue
  if (value.arrayValue) return value.arrayValue.values.map(anyValue)
  if (value.kvlistValue) return attributes(value.kvlistValue.values)
  return null
}

export const attributes = (list: ReadonlyArray<IKeyValue> | undefined): Record<string, Value> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]))

const nanos = (value: Fixed64 | undefined): number => {
  if (value === undefined) return 0
  if (typeof value === "object") return value.high * 2 ** 32 + (value.low >>> 0)
  return Number(value)
}

// OTLP/JSON encodes ids as hex strings; an absent or empty parent id means a root span.
const id = (value: string | Uint8Array | undefined): string | undefined =>
  value === undefined || value.length === 0
    ? undefined
    : typeof value === "string"
      ? value
      : Buffer.from(value).toString("hex")

export interface DecodedSpan {
  readonly service: Value | undefined
  readonly resource: Record<string, Value>
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly kind: number
  readonly startTimeUnixNano: number
  readonly endTimeUnixNano: number
  readonly statusCode: number
  readonly attributes: Record<string, Value>
}

export const decodeTraces = (body: Buffer): ReadonlyArray<DecodedSpan> => {
  const request = JSON.parse(body.toString("utf8")) as IExportTraceServiceRequest
  const out: Array<DecodedSpan> = []
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributes(resourceSpans.resource?.attributes)
    for (const scope of resourceSpans.scopeSpans) {
      for (const span of scope.spans ?? []) {
        out.push({
          service: resource["service.name"],
          resource,
          traceId: id(span.traceId) ?? "",
          spanId: id(span.spanId) ?? "",
          parentSpanId: id(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: nanos(span.startTimeUnixNano),
          endTimeUnixNano: nanos(span.endTimeUnixNano),
          statusCode: span.status.code,
          attributes: attributes(span.attributes)
        })
      }
    }
  }
  return out
}

export interface DecodedMetric {
  readonly name: string
  readonly kind: "sum" | "gauge" | "histogram" | "other"
  readonly attributes: Record<string, Value>
  readonly value: number
}

export const decodeMetrics = (body: Buffer): ReadonlyArray<DecodedMetric> => {
  const request = JSON.parse(body.toString("utf8")) as IExportMetricsServiceRequest
  const out: Array<DecodedMetric> = []
  for (const resourceMetrics of request.resourceMetrics) {
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const numbers = metric.sum?.dataPoints ?? metric.gauge?.dataPoints
        if (numbers) {
          for (const point of numbers) {
            out.push({
              name: metric.name,
              kind: metric.sum ? "sum" : "gauge",
              attributes: attributes(point.attributes),
              value: point.asDouble ?? Number(point.asInt ?? 0)
            })
          }
        } else if (metric.histogram) {
          for (const point of metric.histogram.dataPoints) {
            out.push({
              name: metric.name,
              kind: "histogram",
              attributes: attributes(point.attributes),
              value: Number(point.count ?? 0)
            })
          }
        } else {
          out.push({ name: metric.name, kind: "other", attributes: {}, value: 0 })
        }
      }
    }
  }
  return out
}
