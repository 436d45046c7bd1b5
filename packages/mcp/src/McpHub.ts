/**
 * McpHub: every MCP server of a config behind one service. Connects lazily, one client per
 * server; caches each server's tool list (refreshed on `notifications/tools/list_changed`);
 * calls tools with validation, a per-server concurrency limit, a timeout, cancellation and a
 * result cap; restarts crashed servers with bounded backoff; stops every child on close.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js"
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"
import {
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  FiberSet,
  Layer,
  PubSub,
  type Scope,
  Semaphore,
  Stream,
  Tracer
} from "effect"
import type { Catalog, CatalogServer } from "./Catalog.ts"
import { fromTool } from "./Catalog.ts"
import { type Connection, describeFailure, type Failure, OpenFailure, open } from "./Connection.ts"
import {
  type CallError,
  ConnectError,
  type ConnectionError,
  InvalidToolArguments,
  type McpConfigError,
  ProtocolError,
  RequestError,
  ResultTooLarge,
  ServerCrashed,
  ServerNotFound,
  ServerUnavailable,
  ToolError,
  ToolNotFound,
  ToolTimeout
} from "./Errors.ts"
import { Limiter } from "./Limiter.ts"
import * as McpConfig from "./McpConfig.ts"
import { Attr, type OperationMetrics, operationMetrics } from "./Telemetry.ts"
import { approximateSize, errorText, toValue } from "./ToolResult.ts"

export interface Options {
  /** Default time limit of one tool call (queueing for a permit included). Default 60 s. */
  readonly timeout?: Duration.Input
  /** Time limit for starting a server and `initialize`. Default 30 s. */
  readonly connectTimeout?: Duration.Input
  /** Calls in flight per server; more wait. Default 16. */
  readonly maxConcurrency?: number
  /** Largest tool result accepted, in bytes. Default 10 MiB. */
  readonly maxResultBytes?: number
  /** Consecutive failures (crashes, failed starts) tolerated before calls fail fast. Default 3. */
  readonly maxRestarts?: number
  /** First restart delay; doubles per consecutive failure, at most 32×. Default 200 ms. */
  readonly restartBackoff?: Duration.Input
  /** How long a server that used up its restarts fails fast before one more try. Default 30 s. */
  readonly restartCooldown?: Duration.Input
  /** After a timed-out call the server must answer a ping within this, or it is killed. Default 5 s. */
  readonly pingTimeout?: Duration.Input
  /** Check arguments against the tool's inputSchema before sending. Default true. */
  readonly validateArguments?: boolean
  readonly clientInfo?: { readonly name: string; readonly version: string }
}

export interface CallOptions {
  /** Overrides the hub's default timeout for this call. */
  readonly timeout?: Duration.Input
}

export interface ServerStatus {
  readonly name: string
  readonly transport: McpConfig.ServerConfig["type"]
  readonly connected: boolean
  readonly pid?: number
  /** Consecutive failures since the last successful call. */
  readonly failures: number
  readonly lastError?: string
  readonly stderr: string
}

export interface Service {
  /** Configured server names, in config order. */
  readonly servers: ReadonlyArray<string>
  /** All tools of one server (every page), from the cache when fresh. */
  readonly listTools: (server: string) => Effect.Effect<ReadonlyArray<Tool>, ConnectionError>
  /** The catalog of every server; a server that cannot be reached appears with `error` and no tools. */
  readonly catalog: () => Effect.Effect<Catalog>
  /**
   * Calls a tool and returns its value: `structuredContent` when given, else the text
   * (parsed as JSON when it is JSON). `isError: true` fails with `ToolError`.
   */
  readonly callTool: (
    server: string,
    tool: string,
    args?: unknown,
    options?: CallOptions
  ) => Effect.Effect<unknown, CallError>
  /** Like `callTool`, but returns the whole `CallToolResult` and leaves `isError` to the caller. */
  readonly callToolResult: (
    server: string,
    tool: string,
    args?: unknown,
    options?: CallOptions
  ) => Effect.Effect<CallToolResult, Exclude<CallError, ToolError>>
  /** Names of servers whose tool list changed (after the cache was refreshed). */
  readonly changes: Stream.Stream<string>
  /** A subscription to `changes` that is live as soon as this effect returns. */
  readonly subscribeChanges: Effect.Effect<PubSub.Subscription<string>, never, Scope.Scope>
  readonly status: () => Effect.Effect<ReadonlyArray<ServerStatus>>
}

interface ToolEntry {
  readonly tool: Tool
  // undefined: not compiled yet; null: the schema could not be compiled (the server validates).
  validate: JsonSchemaValidator<unknown> | null | undefined
}

interface ToolIndex {
  readonly list: ReadonlyArray<Tool>
  readonly byName: ReadonlyMap<string, ToolEntry>
}

interface CallTelemetry {
  readonly spanName: string
  readonly attributes: Record<string, unknown>
  readonly metrics: OperationMetrics
}

interface ServerState {
  readonly name: string
  readonly config: McpConfig.ServerConfig
  readonly limiter: Limiter
  readonly connectLock: Semaphore.Semaphore
  readonly listLock: Semaphore.Semaphore
  readonly calls: Map<string, CallTelemetry>
  readonly listMetrics: OperationMetrics
  readonly initMetrics: OperationMetrics
  conn: Connection | undefined
  failures: number
  lastFailureAt: number
  lastError: string | undefined
  tools: ToolIndex | undefined
  toolsVersion: number
  checkingHealth: boolean
}

type RequestFailure = ServerCrashed | ProtocolError | RequestError | ResultTooLarge | ToolTimeout
type CallFailure = Exclude<CallError, ToolError | ServerNotFound>

const MAX_PAGES = 1000
const SDK_TIMEOUT_CAP = 2_147_483_647
const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({})

const toMillis = (input: Duration.Input | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  const ms = Duration.toMillis(Duration.fromInputUnsafe(input))
  return Number.isFinite(ms) ? ms : SDK_TIMEOUT_CAP
}

const nextTick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

const transportAttr = (config: McpConfig.ServerConfig): string => (config.type === "stdio" ? "pipe" : "tcp")

/** Builds a hub in the current scope; closing the scope stops every server it started. */
export const make = Effect.fnUntraced(function* (config: McpConfig.McpConfig, options: Options = {}) {
  const timeoutMs = toMillis(options.timeout, 60_000)
  const connectTimeoutMs = toMillis(options.connectTimeout, 30_000)
  const maxResultBytes = options.maxResultBytes ?? 10 * 1024 * 1024
  const maxRestarts = options.maxRestarts ?? 3
  const backoffMs = toMillis(options.restartBackoff, 200)
  const cooldownMs = toMillis(options.restartCooldown, 30_000)
  const pingTimeoutMs = toMillis(options.pingTimeout, 5_000)
  const validateArguments = options.validateArguments ?? true
  const clientInfo = options.clientInfo ?? { name: "tta-mcp", version: "0.1.0" }
  const maxConcurrency = options.maxConcurrency ?? 16

  const validator = new AjvJsonSchemaValidator()
  const pubsub = yield* PubSub.unbounded<string>()
  const runFork = yield* FiberSet.makeRuntime<never>()
  let shutDown = false

  const names = Object.keys(config.mcpServers)
  const states = new Map<string, ServerState>()
  for (const name of names) {
    const serverConfig = config.mcpServers[name] as McpConfig.ServerConfig
    states.set(name, {
      name,
      config: serverConfig,
      limiter: new Limiter(maxConcurrency),
      connectLock: Semaphore.makeUnsafe(1),
      listLock: Semaphore.makeUnsafe(1),
      calls: new Map(),
      listMetrics: operationMetrics("tools/list", name),
      initMetrics: operationMetrics("initialize", name),
      conn: undefined,
      failures: 0,
      lastFailureAt: 0,
      lastError: undefined,
      tools: undefined,
      toolsVersion: 0,
      checkingHealth: false
    })
  }

  yield* Effect.addFinalizer(() =>
    Effect.promise(() => {
      shutDown = true
      return Promise.all([...states.values()].map((s) => s.conn?.close({ kind: "closed" }))).then(
        () => undefined
      )
    })
  )

  const lookup = (server: string): Effect.Effect<ServerState, ServerNotFound> => {
    const state = states.get(server)
    return state === undefined
      ? Effect.fail(new ServerNotFound({ server, known: names }))
      : Effect.succeed(state)
  }

  // A client span named per the MCP semantic conventions around `body`, recording duration
  // (and a call) in metrics and, on failure, the error type on span and metrics. It wraps every
  // tool call, so it is kept to a few Effect steps, and, as Effect's own HTTP middleware does,
  // it creates no span when no tracing backend is installed (nothing could observe it).
  // `body` gets the span (to parent nested work under it) and the clock.
  const traced = <A, E extends { readonly _tag: string }, R>(
    name: string,
    attributes: Record<string, unknown>,
    metrics: OperationMetrics,
    countCall: boolean,
    body: (span: Tracer.Span | undefined, clock: Clock.Clock) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, R> =>
    Effect.withFiber((fiber) => {
      const clock = fiber.getRef(Clock.Clock)
      const measured = (span: Tracer.Span | undefined) => {
        const start = clock.currentTimeNanosUnsafe()
        return Effect.onExit(body(span, clock), (exit) => {
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

  // Maps a rejected SDK request to a typed error, using what the connection learned about its death.
  const requestFailure = (
    state: ServerState,
    conn: Connection,
    method: string,
    tool: string | undefined,
    limitMs: number,
    cause: unknown
  ): Effect.Effect<never, RequestFailure> =>
    Effect.gen(function* () {
      if (cause instanceof McpError && cause.code === ErrorCode.RequestTimeout && conn.alive) {
        checkHealth(state, conn)
        return yield* new ToolTimeout({ server: state.name, tool: tool ?? method, timeoutMs: limitMs })
      }
      const closedByPeer = cause instanceof McpError && cause.code === ErrorCode.ConnectionClosed
      if (conn.alive && closedByPeer) yield* nextTick
      if (conn.alive && !(cause instanceof McpError)) {
        // Not an answer from the server: the transport failed (HTTP unreachable, pipe broken).
        void conn.close({
          kind: "unreachable",
          detail: cause instanceof Error ? cause.message : String(cause)
        })
      }
      const failure: Failure | undefined = conn.failure ?? (closedByPeer ? { kind: "exited" } : undefined)
      if (failure === undefined) {
        const error = cause as McpError
        return yield* new RequestError({
          server: state.name,
          method,
          ...(tool === undefined ? {} : { tool }),
          code: error.code,
          detail: error.message.replace(/^MCP error -?\d+: /, "")
        })
      }
      if (failure.kind === "overflow" && tool !== undefined) {
        return yield* new ResultTooLarge({ server: state.name, tool, limitBytes: maxResultBytes })
      }
      if (failure.kind === "garbage") {
        return yield* new ProtocolError({ server: state.name, method, detail: describeFailure(failure) })
      }
      // Let the last stderr lines of a dying process arrive before quoting them.
      if (failure.kind === "exited") yield* nextTick
      return yield* new ServerCrashed({
        server: state.name,
        method,
        ...(tool === undefined ? {} : { tool }),
        reason: describeFailure(failure),
        stderr: conn.stderr
      })
    })

  // One SDK request; interruption aborts it, which makes the SDK send notifications/cancelled.
  const request = <A>(
    state: ServerState,
    conn: Connection,
    method: string,
    tool: string | undefined,
    limitMs: number,
    run: (signal: AbortSignal) => Promise<A>
  ): Effect.Effect<A, RequestFailure> =>
    Effect.callback<A, RequestFailure>((resume, signal) => {
      run(signal).then(
        (value) => resume(Effect.succeed(value)),
        (cause) => resume(requestFailure(state, conn, method, tool, limitMs, cause))
      )
    })

  const noteFailure = (state: ServerState, message: string) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      state.failures++
      state.lastFailureAt = now
      state.lastError = message
    })

  const onToolsChanged = (state: ServerState) => () => {
    state.toolsVersion++
    state.tools = undefined
    runFork(
      Effect.suspend(() => {
        const conn = state.conn
        return conn?.alive ? Effect.ignore(toolIndex(state, conn)) : Effect.void
      }).pipe(Effect.andThen(PubSub.publish(pubsub, state.name)))
    )
  }

  const reconnect = (state: ServerState): Effect.Effect<Connection, ConnectError | ServerUnavailable> =>
    Effect.gen(function* () {
      const dead = state.conn
      if (dead !== undefined) {
        state.conn = undefined
        state.tools = undefined
        state.toolsVersion++
        if (dead.failure?.kind !== "closed") {
          yield* noteFailure(state, describeFailure(dead.failure ?? { kind: "exited" }))
        }
        void dead.close({ kind: "closed" })
      }
      if (state.failures > 0) {
        if (state.failures > maxRestarts) {
          const now = yield* Clock.currentTimeMillis
          if (now - state.lastFailureAt < cooldownMs) {
            return yield* new ServerUnavailable({
              server: state.name,
              failures: state.failures,
              lastError: state.lastError ?? "unknown",
              stderr: dead?.stderr ?? ""
            })
          }
        }
        yield* Effect.sleep(Math.min(backoffMs * 2 ** (state.failures - 1), backoffMs * 32))
      }
      if (shutDown) {
        return yield* new ConnectError({ server: state.name, detail: "the hub is shut down", stderr: "" })
      }
      const conn = yield* Effect.tryPromise({
        try: (signal) =>
          open(
            {
              name: state.name,
              config: state.config,
              clientInfo,
              maxMessageBytes: maxResultBytes + 64 * 1024,
              connectTimeoutMs,
              onToolsChanged: onToolsChanged(state)
            },
            signal
          ),
        catch: (cause) => cause
      }).pipe(
        Effect.catch((cause) =>
          Effect.gen(function* () {
            const detail = cause instanceof Error ? cause.message : String(cause)
            yield* noteFailure(state, detail)
            const stderr = cause instanceof OpenFailure ? cause.stderr : ""
            return yield* new ConnectError({ server: state.name, detail, stderr })
          })
        ),
        (self) =>
          traced(
            "initialize",
            {
              [Attr.methodName]: "initialize",
              [Attr.serverName]: state.name,
              [Attr.networkTransport]: transportAttr(state.config)
            },
            state.initMetrics,
            false,
            () => self
          )
      )
      if (shutDown) {
        yield* Effect.promise(() => conn.close({ kind: "closed" }))
        return yield* new ConnectError({
          server: state.name,
          detail: "the hub is shut down",
          stderr: conn.stderr
        })
      }
      state.conn = conn
      return conn
    })

  const connection = (state: ServerState): Effect.Effect<Connection, ConnectError | ServerUnavailable> => {
    const live = state.conn
    if (live?.alive) return Effect.succeed(live)
    return state.connectLock.withPermit(
      Effect.suspend(() => (state.conn?.alive ? Effect.succeed(state.conn) : reconnect(state)))
    )
  }

  const fetchTools = (state: ServerState, conn: Connection) =>
    Effect.gen(function* () {
      const version = state.toolsVersion
      const list: Array<Tool> = []
      let cursor: string | undefined
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = cursor === undefined ? {} : { cursor }
        const result = yield* request(state, conn, "tools/list", undefined, timeoutMs, (signal) =>
          conn.client.listTools(params, { signal, timeout: timeoutMs })
        )
        list.push(...result.tools)
        if (result.nextCursor === undefined || result.nextCursor === cursor) break
        cursor = result.nextCursor
      }
      const byName = new Map<string, ToolEntry>()
      for (const tool of list) byName.set(tool.name, { tool, validate: undefined })
      const index: ToolIndex = { list, byName }
      if (state.toolsVersion === version && state.conn === conn) state.tools = index
      return index
    }).pipe(
      Effect.catchTag(["ResultTooLarge", "ToolTimeout"], (error) =>
        Effect.fail(
          new ServerCrashed({
            server: state.name,
            method: "tools/list",
            reason:
              error._tag === "ToolTimeout"
                ? `did not answer within ${timeoutMs} ms`
                : describeFailure({ kind: "overflow", limit: maxResultBytes }),
            stderr: conn.stderr
          })
        )
      ),
      (self) =>
        traced(
          "tools/list",
          {
            [Attr.methodName]: "tools/list",
            [Attr.serverName]: state.name,
            [Attr.networkTransport]: transportAttr(state.config)
          },
          state.listMetrics,
          false,
          () => self
        )
    )

  const toolIndex = (state: ServerState, conn: Connection) => {
    const cached = state.tools
    if (cached !== undefined) return Effect.succeed(cached)
    return state.listLock.withPermit(
      Effect.suspend(() =>
        state.tools === undefined ? fetchTools(state, conn) : Effect.succeed(state.tools)
      )
    )
  }

  const listTools = (server: string): Effect.Effect<ReadonlyArray<Tool>, ConnectionError> =>
    Effect.gen(function* () {
      const state = yield* lookup(server)
      const conn = yield* connection(state)
      return (yield* toolIndex(state, conn)).list
    })

  const catalog = (): Effect.Effect<Catalog> =>
    Effect.forEach(
      names,
      (name) =>
        listTools(name).pipe(
          Effect.map((tools): CatalogServer => ({ name, tools: tools.map(fromTool) })),
          Effect.catch((error) => Effect.succeed<CatalogServer>({ name, tools: [], error: error.message }))
        ),
      { concurrency: "unbounded" }
    ).pipe(Effect.map((servers) => ({ servers })))

  const compile = (entry: ToolEntry): JsonSchemaValidator<unknown> | null => {
    if (entry.validate !== undefined) return entry.validate
    try {
      // Ajv's default dialect is draft-07; a `$schema` naming another draft would make it refuse the schema.
      const { $schema: _, ...schema } = entry.tool.inputSchema as JsonSchemaType & { $schema?: string }
      entry.validate = validator.getValidator<unknown>(schema as JsonSchemaType)
    } catch {
      entry.validate = null
    }
    return entry.validate
  }

  const argumentsError = (
    state: ServerState,
    entry: ToolEntry,
    args: unknown
  ): InvalidToolArguments | undefined => {
    if (args !== null && args !== undefined && (typeof args !== "object" || Array.isArray(args))) {
      return new InvalidToolArguments({
        server: state.name,
        tool: entry.tool.name,
        detail: `arguments must be an object, got ${Array.isArray(args) ? "an array" : typeof args}`
      })
    }
    if (!validateArguments) return undefined
    const validate = compile(entry)
    if (validate === null) return undefined
    const verdict = validate(args ?? NO_ARGS)
    return verdict.valid
      ? undefined
      : new InvalidToolArguments({
          server: state.name,
          tool: entry.tool.name,
          detail: verdict.errorMessage.replace(/(^|, )data/g, "$1arguments")
        })
  }

  // After a timeout, make sure the server still answers; one that does not is killed so the
  // next call starts a fresh one instead of queueing behind a dead pipe.
  const checkHealth = (state: ServerState, conn: Connection) => {
    if (state.checkingHealth || !conn.alive) return
    state.checkingHealth = true
    runFork(
      Effect.tryPromise((signal) => conn.client.ping({ signal, timeout: pingTimeoutMs })).pipe(
        Effect.timeout(pingTimeoutMs),
        Effect.catch(() => Effect.promise(() => conn.close({ kind: "unresponsive" }))),
        Effect.ensuring(
          Effect.sync(() => {
            state.checkingHealth = false
          })
        )
      )
    )
  }

  const resolveTool = (state: ServerState, conn: Connection, tool: string) =>
    Effect.flatMap(toolIndex(state, conn), (index) => {
      const entry = index.byName.get(tool)
      if (entry !== undefined) return Effect.succeed(entry)
      // The list may have changed without a notification: look once more before giving up.
      state.tools = undefined
      return Effect.flatMap(toolIndex(state, conn), (fresh) => {
        const again = fresh.byName.get(tool)
        return again !== undefined
          ? Effect.succeed(again)
          : Effect.fail(
              new ToolNotFound({ server: state.name, tool, available: fresh.list.map((t) => t.name) })
            )
      })
    })

  // Span name, attributes and metrics of one (server, tool), built once: they are per call.
  const callTelemetry = (state: ServerState, tool: string): CallTelemetry => {
    let telemetry = state.calls.get(tool)
    if (telemetry === undefined) {
      telemetry = {
        spanName: `tools/call ${tool}`,
        attributes: {
          [Attr.methodName]: "tools/call",
          [Attr.serverName]: state.name,
          [Attr.toolName]: tool,
          [Attr.operationName]: "execute_tool",
          [Attr.networkTransport]: transportAttr(state.config)
        },
        metrics: operationMetrics("tools/call", state.name, tool)
      }
      // Names come from callers (unknown tools included): cap what is kept.
      if (state.calls.size < 1000) state.calls.set(tool, telemetry)
    }
    return telemetry
  }

  // Connects and resolves the tool when the fast path in `call` cannot.
  const prepare = (state: ServerState, tool: string) =>
    Effect.flatMap(connection(state), (conn) =>
      Effect.map(resolveTool(state, conn, tool), (entry) => [conn, entry] as const)
    )

  // The tool call proper, as one callback: validate, take a slot (or queue for one, within the
  // deadline), send. The SDK's own request timer enforces the deadline and sends the
  // cancellation; interruption aborts `signal`, which makes the SDK send it too.
  const send = <A, E>(
    state: ServerState,
    conn: Connection,
    entry: ToolEntry,
    args: unknown,
    limitMs: number,
    clock: Clock.Clock,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | CallFailure> => {
    const invalid = argumentsError(state, entry, args)
    if (invalid !== undefined) return Effect.fail(invalid)
    const tool = entry.tool.name
    const params = { name: tool, arguments: (args ?? NO_ARGS) as Record<string, unknown> }
    return Effect.callback<A, E | CallFailure>((resume, signal) => {
      const deadline = clock.currentTimeMillisUnsafe() + limitMs
      const timedOut = () => {
        checkHealth(state, conn)
        resume(Effect.fail(new ToolTimeout({ server: state.name, tool, timeoutMs: limitMs })))
      }
      const start = () => {
        const remaining = deadline - clock.currentTimeMillisUnsafe()
        if (signal.aborted || remaining <= 0) {
          state.limiter.release()
          if (!signal.aborted) timedOut()
          return
        }
        conn.client
          .callTool(params, undefined, { signal, timeout: Math.min(remaining, SDK_TIMEOUT_CAP) })
          .then(
            (result) => {
              state.limiter.release()
              if (conn.kind !== "stdio" && approximateSize(result as CallToolResult) > maxResultBytes) {
                resume(
                  Effect.fail(new ResultTooLarge({ server: state.name, tool, limitBytes: maxResultBytes }))
                )
                return
              }
              state.failures = 0
              resume(onResult(result as CallToolResult))
            },
            (cause) => {
              state.limiter.release()
              // Aborted by interruption: nobody is waiting for the answer.
              if (!signal.aborted) resume(requestFailure(state, conn, "tools/call", tool, limitMs, cause))
            }
          )
      }
      state.limiter.acquire(start, signal, limitMs, timedOut)
    })
  }

  // One tools/call inside its span: straight to `send` when connection and tool list are
  // cached; otherwise connect / list first, with those spans nested under the call's.
  const call = <A, E>(
    state: ServerState,
    tool: string,
    args: unknown,
    options: CallOptions | undefined,
    span: Tracer.Span | undefined,
    clock: Clock.Clock,
    onResult: (result: CallToolResult) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | CallFailure> => {
    const limitMs = options?.timeout === undefined ? timeoutMs : toMillis(options.timeout, timeoutMs)
    const conn = state.conn
    const entry = conn?.alive ? state.tools?.byName.get(tool) : undefined
    if (conn !== undefined && entry !== undefined)
      return send(state, conn, entry, args, limitMs, clock, onResult)
    const prepared =
      span === undefined
        ? prepare(state, tool)
        : Effect.withParentSpan(prepare(state, tool), span, { captureStackTrace: false })
    return Effect.flatMap(prepared, ([c, e]) => send(state, c, e, args, limitMs, clock, onResult))
  }

  const callTool = (server: string, tool: string, args?: unknown, options?: CallOptions) => {
    const state = states.get(server)
    if (state === undefined) return Effect.fail(new ServerNotFound({ server, known: names }))
    const t = callTelemetry(state, tool)
    const onResult = (result: CallToolResult): Effect.Effect<unknown, ToolError> =>
      result.isError === true
        ? Effect.fail(new ToolError({ server, tool, detail: errorText(result), content: result.content }))
        : Effect.succeed(toValue(result))
    return traced(t.spanName, t.attributes, t.metrics, true, (span, clock) =>
      call(state, tool, args, options, span, clock, onResult)
    )
  }

  const callToolResult = (
    server: string,
    tool: string,
    args?: unknown,
    options?: CallOptions
  ): Effect.Effect<CallToolResult, Exclude<CallError, ToolError>> => {
    const state = states.get(server)
    if (state === undefined) return Effect.fail(new ServerNotFound({ server, known: names }))
    const t = callTelemetry(state, tool)
    return traced(t.spanName, t.attributes, t.metrics, true, (span, clock) =>
      call(state, tool, args, options, span, clock, Effect.succeed)
    )
  }

  const status = (): Effect.Effect<ReadonlyArray<ServerStatus>> =>
    Effect.sync(() =>
      [...states.values()].map((s) => {
        const pid = s.conn?.alive ? s.conn.pid : undefined
        return {
          name: s.name,
          transport: s.config.type,
          connected: s.conn?.alive ?? false,
          ...(pid === undefined ? {} : { pid }),
          failures: s.failures,
          ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
          stderr: s.conn?.stderr ?? ""
        }
      })
    )

  const service: Service = {
    servers: names,
    listTools,
    catalog,
    callTool,
    callToolResult,
    changes: Stream.fromPubSub(pubsub),
    subscribeChanges: PubSub.subscribe(pubsub),
    status
  }
  return service
})

export class McpHub extends Context.Service<McpHub, Service>()("@tta/mcp/McpHub") {
  /** Builds a hub in the current scope (what the layers use). */
  static readonly make = make

  /** A hub for `config` (the `mcpServers` JSON shape; `${VAR}`s read from `process.env`). */
  static readonly layer = (config: McpConfig.Input, options?: Options): Layer.Layer<McpHub, McpConfigError> =>
    Layer.effect(
      McpHub,
      Effect.flatMap(McpConfig.decode(config), (decoded) => make(decoded, options))
    )

  /** A hub for a config already decoded with `McpConfig.decode` / `parse` / `load`. */
  static readonly layerConfig = (config: McpConfig.McpConfig, options?: Options): Layer.Layer<McpHub> =>
    Layer.effect(McpHub, make(config, options))

  /** A hub for a `.mcp.json` / `claude_desktop_config.json` file. */
  static readonly layerFile = (path: string, options?: Options): Layer.Layer<McpHub, McpConfigError> =>
    Layer.effect(
      McpHub,
      Effect.flatMap(McpConfig.load(path), (decoded) => make(decoded, options))
    )
}
