/**
 * The tools/call path of one server: validate the arguments, take a slot of the concurrency
 * limit (or queue for one within the deadline), send, time out and cancel, cap the result
 * size, and turn the result into the caller's value. Internal to the package.
 */
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js"
import { type Clock, Duration, Effect, type Tracer } from "effect"
import { Caller, type InFlight } from "./Callers.ts"
import type { Connection } from "./Connection.ts"
import {
  type CallError,
  RequestError,
  ResultTooLarge,
  type ServerNotFound,
  ToolError,
  ToolTimeout
} from "./Errors.ts"
import { Limiter } from "./Limiter.ts"
import { ErrorCode } from "./Protocol.ts"
import { requestFailure } from "./Requests.ts"
import type { Supervisor } from "./Supervisor.ts"
import { type RequestTelemetry, toolCallTelemetry, traced } from "./Telemetry.ts"
import type { ToolEntry, ToolIndex } from "./ToolIndex.ts"
import { approximateSize, errorText, resultProblem, toValue } from "./ToolResult.ts"

export interface CallOptions {
  /** Overrides the hub's default timeout for this call (restarted by each progress report). */
  readonly timeout?: Duration.Input
  /** Asks the server for progress reports (a progressToken) and receives them. */
  readonly onProgress?: (progress: Progress) => void
}

/** What a call can fail with besides the tool's own `isError` (the hub resolves the server). */
export type CallFailure = Exclude<CallError, ToolError | ServerNotFound>

/** The SDK's timers take a 32-bit millisecond count. */
export const SDK_TIMEOUT_CAP = 2_147_483_647
const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({})

export const toMillis = (input: Duration.Input | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  const ms = Duration.toMillis(Duration.fromInputUnsafe(input))
  return Number.isFinite(ms) ? ms : SDK_TIMEOUT_CAP
}

export interface CallsOptions {
  readonly timeoutMs: number
  readonly maxConcurrency: number
  readonly maxResultBytes: number
  /** The callers of this server's calls in flight, for its log messages (Callers.ts). */
  readonly inFlight?: InFlight | undefined
}

export class Calls {
  readonly server: Supervisor
  readonly tools: ToolIndex
  readonly options: CallsOptions
  readonly limiter: Limiter
  readonly #telemetry = new Map<string, RequestTelemetry>()

  constructor(server: Supervisor, tools: ToolIndex, options: CallsOptions) {
    this.server = server
    this.tools = tools
    this.options = options
    this.limiter = new Limiter(options.maxConcurrency)
  }

  /** The value of a call: see `McpHub.Service.callTool`. */
  callTool(
    tool: string,
    args: unknown,
    options: CallOptions | undefined
  ): Effect.Effect<unknown, CallFailure | ToolError> {
    const server = this.server.name
    const onResult = (result: CallToolResult): Effect.Effect<unknown, ToolError> =>
      result.isError === true
        ? Effect.fail(new ToolError({ server, tool, detail: errorText(result), content: result.content }))
        : Effect.succeed(toValue(result))
    return this.#traced(tool, args, options, onResult)
  }

  /** The whole result of a call, `isError` left to the caller. */
  callToolResult(
    tool: string,
    args: unknown,
    options: CallOptions | undefined
  ): Effect.Effect<CallToolResult, CallFailure> {
    return this.#traced(tool, args, options, Effect.succeed)
  }

  #traced<A, E extends { readonly _tag: string }>(
    tool: string,
    args: unknown,
    options: CallOptions | undefined,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | CallFailure> {
    const t = this.#callTelemetry(tool)
    return traced(t.spanName, t.attributes, t.metrics, true, (span, clock, fiber) => {
      // Who is calling (Callers.ts): the call counts as theirs from its send until its answer is read.
      const inFlight = this.options.inFlight
      const caller = inFlight === undefined ? undefined : fiber.getRef(Caller)
      const mark =
        inFlight === undefined || caller === undefined ? undefined : () => inFlight.add(caller, true)
      return this.#call(tool, args, options, span, clock, onResult, mark)
    })
  }

  // Span name, attributes and metrics of one tool, built once: they are per call.
  #callTelemetry(tool: string): RequestTelemetry {
    let telemetry = this.#telemetry.get(tool)
    if (telemetry === undefined) {
      telemetry = toolCallTelemetry(this.server.name, this.server.config.type, tool)
      // Names come from callers (unknown tools included): cap what is kept.
      if (this.#telemetry.size < 1000) this.#telemetry.set(tool, telemetry)
    }
    return telemetry
  }

  // One tools/call inside its span: straight to `send` when connection and tool list are
  // cached; otherwise connect / list first, with those spans nested under the call's.
  #call<A, E extends { readonly _tag: string }>(
    tool: string,
    args: unknown,
    options: CallOptions | undefined,
    span: Tracer.Span | undefined,
    clock: Clock.Clock,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>,
    mark: (() => () => void) | undefined
  ): Effect.Effect<A, E | CallFailure> {
    const timeoutMs = this.options.timeoutMs
    const limitMs = options?.timeout === undefined ? timeoutMs : toMillis(options.timeout, timeoutMs)
    const conn = this.server.conn
    const entry = conn?.alive ? this.tools.cached(conn, tool) : undefined
    if (conn !== undefined && entry !== undefined)
      return this.#send(conn, entry, args, limitMs, options?.onProgress, clock, onResult, mark)
    const prepare = Effect.flatMap(this.server.connection(), (c) =>
      Effect.map(this.tools.resolve(c, tool), (e) => [c, e] as const)
    )
    const prepared =
      span === undefined ? prepare : Effect.withParentSpan(prepare, span, { captureStackTrace: false })
    return Effect.flatMap(prepared, ([c, e]) =>
      this.#send(c, e, args, limitMs, options?.onProgress, clock, onResult, mark)
    )
  }

  // The tool call proper, as one callback: validate, take a slot (or queue for one, within the
  // deadline), send. On stdio the request goes through the transport's Channel (its own
  // timer and cancellation), elsewhere through the SDK; interruption cancels it on the server.
  // `mark` records the call in flight for its caller, from the send until the answer (or cancel).
  #send<A, E extends { readonly _tag: string }>(
    conn: Connection,
    entry: ToolEntry,
    args: unknown,
    limitMs: number,
    onProgress: ((progress: Progress) => void) | undefined,
    clock: Clock.Clock,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>,
    mark: (() => () => void) | undefined
  ): Effect.Effect<A, E | CallFailure> {
    const invalid = this.tools.argumentsError(entry, args)
    if (invalid !== undefined) return Effect.fail(invalid)
    const server = this.server
    const limiter = this.limiter
    const tool = entry.tool.name
    const params = { name: tool, arguments: (args ?? NO_ARGS) as Record<string, unknown> }
    return Effect.callback<A, E | CallFailure>((resume) => {
      const deadline = clock.currentTimeMillisUnsafe() + limitMs
      let cancel: ((reason: string) => void) | undefined
      let unmark: (() => void) | undefined
      let interrupted = false
      const timedOut = () => {
        server.checkHealth(conn)
        resume(Effect.fail(new ToolTimeout({ server: server.name, tool, timeoutMs: limitMs })))
      }
      const done = (error: Error | undefined, result?: unknown) => {
        cancel = undefined
        unmark?.()
        limiter.release()
        if (interrupted) return
        resume(
          error === undefined
            ? this.#settle(conn, entry, result, onResult)
            : requestFailure(server, conn, "tools/call", tool, limitMs, error)
        )
      }
      const start = () => {
        const remaining = deadline - clock.currentTimeMillisUnsafe()
        if (remaining <= 0) {
          limiter.release()
          timedOut()
          return
        }
        unmark = mark?.()
        cancel = conn.callTool(params, Math.min(remaining, SDK_TIMEOUT_CAP), done, onProgress)
      }
      const leave = limiter.acquire(start, limitMs, timedOut)
      return Effect.sync(() => {
        interrupted = true
        if (cancel !== undefined) cancel("the caller was interrupted")
        else leave?.()
      })
    })
  }

  // A response arrived: check its shape and size, validate its output, hand it on.
  #settle<A, E>(
    conn: Connection,
    entry: ToolEntry,
    result: unknown,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | CallFailure> {
    const server = this.server
    const tool = entry.tool.name
    const problem = resultProblem(result)
    if (problem !== undefined) {
      const detail = `invalid tools/call result: ${problem}`
      return Effect.fail(
        new RequestError({
          server: server.name,
          method: "tools/call",
          tool,
          code: ErrorCode.InternalError,
          detail
        })
      )
    }
    const checked = result as CallToolResult
    const maxResultBytes = this.options.maxResultBytes
    if (conn.kind !== "stdio" && approximateSize(checked) > maxResultBytes) {
      return Effect.fail(new ResultTooLarge({ server: server.name, tool, limitBytes: maxResultBytes }))
    }
    server.succeeded()
    const invalid = this.tools.outputError(entry, checked)
    return invalid === undefined ? onResult(checked) : Effect.fail(invalid)
  }
}
