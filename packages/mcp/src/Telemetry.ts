/**
 * Telemetry of MCP requests after the OpenTelemetry semantic conventions for MCP (span
 * `"{mcp.method.name} {target}"`, metric `mcp.client.operation.duration` in seconds): the names,
 * the metrics, and `traced`, the one wrapping every request runs in.
 */
import { Cause, Clock, Effect, type Fiber, Metric, Tracer } from "effect"

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

/** `network.transport` of a server: stdio is a pipe, HTTP and SSE are TCP. */
export const transportAttr = (type: "stdio" | "http" | "sse"): string => (type === "stdio" ? "pipe" : "tcp")

/**
 * A client span named per the MCP semantic conventions around `body`, recording its duration
 * (and, with `countCall`, a call) in `metrics` and, on failure, the error type on span and
 * metrics. It wraps every tool call, so it is kept to a few Effect steps, and, as Effect's own
 * HTTP middleware does, it creates no span when no tracing backend is installed (nothing could
 * observe it). `body` gets the span (to parent nested work under it) and the clock.
 */
export const traced = <A, E extends { readonly _tag: string }, R>(
  name: string,
  attributes: Record<string, unknown>,
  metrics: OperationMetrics,
  countCall: boolean,
  body: (
    span: Tracer.Span | undefined,
    clock: Clock.Clock,
    fiber: Fiber.Fiber<unknown, unknown>
  ) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const clock = fiber.getRef(Clock.Clock)
    const measured = (span: Tracer.Span | undefined) => {
      const start = clock.currentTimeNanosUnsafe()
      return Effect.onExit(body(span, clock, fiber), (exit) => {
        const context = fiber.context
        metrics.duration.updateUnsafe(Number(clock.currentTimeNanosUnsafe() - start) / 1e9, context)
        if (countCall) metrics.calls.updateUnsafe(1, context)
        if (exit._tag === "Failure") {
          const error = Cause.findErrorOption(exit.cause)
          if (error._tag === "Some") {
            span?.attribute(Attr.errorType, error.value._tag)
            metrics.errors(error.value._tag).updateUnsafe(1, context)
          }
        }
        return Effect.void
      })
    }
    return fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer
      ? measured(undefined)
      : Effect.useSpan(name, { kind: "client", attributes }, measured)
  })

/** Span name, attributes and metrics of one kind of request, built once and reused. */
export interface RequestTelemetry {
  readonly spanName: string
  readonly attributes: Record<string, unknown>
  readonly metrics: OperationMetrics
}

/** Telemetry of a server-level request (`initialize`, `tools/list`, ...). */
export const requestTelemetry = (
  method: string,
  server: string,
  transport: "stdio" | "http" | "sse"
): RequestTelemetry => ({
  spanName: method,
  attributes: {
    [Attr.methodName]: method,
    [Attr.serverName]: server,
    [Attr.networkTransport]: transportAttr(transport)
  },
  metrics: operationMetrics(method, server)
})

/** Telemetry of `tools/call` for one (server, tool). */
export const toolCallTelemetry = (
  server: string,
  transport: "stdio" | "http" | "sse",
  tool: string
): RequestTelemetry => ({
  spanName: `tools/call ${tool}`,
  attributes: {
    [Attr.methodName]: "tools/call",
    [Attr.serverName]: server,
    [Attr.toolName]: tool,
    [Attr.operationName]: "execute_tool",
    [Attr.networkTransport]: transportAttr(transport)
  },
  metrics: operationMetrics("tools/call", server, tool)
})

/** Runs `self` as one traced request (no call counted): the one wrapping for non-call requests. */
export const tracedRequest =
  (telemetry: RequestTelemetry) =>
  <A, E extends { readonly _tag: string }, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    traced(telemetry.spanName, telemetry.attributes, telemetry.metrics, false, () => self)
