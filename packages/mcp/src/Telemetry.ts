/**
 * Names used for spans and metrics, after the OpenTelemetry semantic conventions for MCP
 * (span `"{mcp.method.name} {target}"`, metric `mcp.client.operation.duration` in seconds).
 */
import { Metric } from "effect"

export const Attr = {
  methodName: "mcp.method.name",
  serverName: "mcp.server.name",
  toolName: "gen_ai.tool.name",
  operationName: "gen_ai.operation.name",
  errorType: "error.type",
  networkTransport: "network.transport",
  sessionId: "mcp.session.id"
} as const

export const MetricName = {
  /** Histogram, seconds, per request (tools/call, tools/list, initialize). */
  operationDuration: "mcp.client.operation.duration",
  /** Counter of tools/call requests. */
  toolCalls: "mcp.client.tool.calls",
  /** Counter of failed tools/call requests, with `error.type`. */
  toolErrors: "mcp.client.tool.errors"
} as const

// Seconds: 1 ms .. ~65 s.
const boundaries = Metric.exponentialBoundaries({ start: 0.001, factor: 2, count: 17 })

export interface OperationMetrics {
  readonly duration: Metric.Metric<number, unknown>
  readonly calls: Metric.Metric<number, unknown>
  readonly errors: (errorType: string) => Metric.Metric<number, unknown>
}

/** Metrics for one (method, server, tool); created once and reused, so updates stay cheap. */
export const operationMetrics = (method: string, server: string, tool?: string): OperationMetrics => {
  const attributes: Record<string, string> = {
    [Attr.methodName]: method,
    [Attr.serverName]: server,
    ...(tool === undefined ? {} : { [Attr.toolName]: tool })
  }
  const errors = new Map<string, Metric.Metric<number, unknown>>()
  return {
    duration: Metric.histogram(MetricName.operationDuration, {
      description: "Duration of MCP requests as seen by the client",
      boundaries,
      attributes
    }),
    calls: Metric.counter(MetricName.toolCalls, {
      description: "MCP tools/call requests",
      attributes,
      incremental: true
    }),
    errors: (errorType) => {
      let m = errors.get(errorType)
      if (m === undefined) {
        m = Metric.counter(MetricName.toolErrors, {
          description: "Failed MCP tools/call requests",
          attributes: { ...attributes, [Attr.errorType]: errorType },
          incremental: true
        })
        errors.set(errorType, m)
      }
      return m
    }
  }
}
