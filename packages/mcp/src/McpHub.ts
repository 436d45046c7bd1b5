/**
 * McpHub: every MCP server of a config behind one service. It composes, per server, a
 * `Supervisor` (lazy connect, restarts on a schedule, child reaping), a `ToolIndex` (the
 * cached tool list and argument validators) and `Calls` (the tools/call path), and publishes
 * the names of servers whose tool list changed.
 */
import type { CallToolResult, ClientCapabilities, Tool } from "@modelcontextprotocol/sdk/types.js"
import { Context, type Duration, Effect, FiberSet, Layer, PubSub, type Scope, Stream } from "effect"
import { type CallOptions, Calls, toMillis } from "./Calls.ts"
import type { Catalog, CatalogServer } from "./Catalog.ts"
import { fromTool } from "./Catalog.ts"
import type { Connection } from "./Connection.ts"
import {
  type CallError,
  type ConnectionError,
  type McpConfigError,
  ServerNotFound,
  type ServersUnavailable,
  type ToolError
} from "./Errors.ts"
import { makeHealth, type ServerHealth } from "./Health.ts"
import * as McpConfig from "./McpConfig.ts"
import type * as Passthrough_ from "./Passthrough.ts"
import { Passthrough } from "./Passthrough.ts"
import { type ServerStatus, Supervisor } from "./Supervisor.ts"
import { ToolIndex } from "./ToolIndex.ts"

export type { CallOptions } from "./Calls.ts"
export type { ServerHealth } from "./Health.ts"
export type { ServerStatus } from "./Supervisor.ts"

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
  /**
   * Check a result's structuredContent against the tool's outputSchema (once; as the MCP spec
   * asks of clients). Default true; a RequestError when it does not match.
   */
  readonly validateOutput?: boolean
  readonly clientInfo?: { readonly name: string; readonly version: string }
  /**
   * Declared to every server at `initialize`, e.g. `{ sampling: {}, elicitation: {} }` for a
   * gateway that answers those requests (`passthrough.handleRequests`). Default none.
   */
  readonly capabilities?: ClientCapabilities
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
  /** Starts (when needed) and initializes one server; fails with why it could not. */
  readonly connect: (server: string) => Effect.Effect<void, ConnectionError>
  /**
   * Connects the named servers (default: every one) concurrently; fails once, with
   * `ServersUnavailable` listing each server that could not be started and why.
   */
  readonly connectAll: (
    servers?: ReadonlyArray<string>
  ) => Effect.Effect<void, ServersUnavailable | ServerNotFound>
  /** The rest of MCP per server (resources, prompts, completions, logging, notifications, server requests). */
  readonly passthrough: Passthrough_.Service
  /** Connects and lists the tools of the named servers (default: all); a report, never a failure. */
  readonly health: (
    servers?: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<ServerHealth>, ServerNotFound>
}

/** The parts that serve one server. */
interface Server {
  readonly supervisor: Supervisor
  readonly tools: ToolIndex
  readonly calls: Calls
}

/** Builds a hub in the current scope; closing the scope stops every server it started. */
export const make = Effect.fnUntraced(function* (config: McpConfig.McpConfig, options: Options = {}) {
  const timeoutMs = toMillis(options.timeout, 60_000)
  const maxResultBytes = options.maxResultBytes ?? 10 * 1024 * 1024
  const pubsub = yield* PubSub.unbounded<string>()
  const runFork = yield* FiberSet.makeRuntime<never>()

  const names = Object.keys(config.mcpServers)
  const servers = new Map<string, Server>()
  // The list changed: drop the cache, fetch it again in the background, then tell subscribers.
  const onToolsChanged = (tools: ToolIndex, conn: Connection) => {
    tools.invalidate()
    runFork(
      Effect.suspend(() => (conn.alive ? Effect.ignore(tools.get(conn)) : Effect.void)).pipe(
        Effect.andThen(PubSub.publish(pubsub, tools.server.name))
      )
    )
  }
  const runPromise = yield* FiberSet.makeRuntimePromise<never>()
  const passthrough = new Passthrough((server) => Effect.map(lookup(server), (s) => s.supervisor), {
    timeoutMs,
    capabilities: options.capabilities ?? {},
    runFork,
    runPromise: (effect) => runPromise(effect),
    pubsub: yield* PubSub.unbounded<Passthrough_.Notification>()
  })
  for (const name of names) {
    let tools: ToolIndex | undefined
    const { inFlight, ...hooks } = passthrough.hooks(name)
    const supervisor = new Supervisor(name, config.mcpServers[name] as McpConfig.ServerConfig, {
      clientInfo: options.clientInfo ?? { name: "tta-mcp", version: "0.1.0" },
      connectTimeoutMs: toMillis(options.connectTimeout, 30_000),
      maxResultBytes,
      maxRestarts: options.maxRestarts ?? 3,
      restartBackoffMs: toMillis(options.restartBackoff, 200),
      restartCooldownMs: toMillis(options.restartCooldown, 30_000),
      pingTimeoutMs: toMillis(options.pingTimeout, 5_000),
      runFork,
      onToolsChanged: (conn) => {
        if (tools !== undefined) onToolsChanged(tools, conn)
      },
      ...hooks
    })
    tools = new ToolIndex(supervisor, {
      timeoutMs,
      validateArguments: options.validateArguments ?? true,
      validateOutput: options.validateOutput ?? true
    })
    const calls = new Calls(supervisor, tools, {
      timeoutMs,
      maxConcurrency: options.maxConcurrency ?? 16,
      maxResultBytes,
      inFlight
    })
    servers.set(name, { supervisor, tools, calls })
  }

  yield* Effect.addFinalizer(() =>
    Effect.promise(() => Promise.all([...servers.values()].map((s) => s.supervisor.close())))
  )

  const lookup = (server: string): Effect.Effect<Server, ServerNotFound> => {
    const found = servers.get(server)
    return found === undefined
      ? Effect.fail(new ServerNotFound({ server, known: names }))
      : Effect.succeed(found)
  }

  const listTools = (server: string): Effect.Effect<ReadonlyArray<Tool>, ConnectionError> =>
    Effect.flatMap(lookup(server), (s) => s.tools.list())

  // The tools and, from the same connection's `initialize`, the version the server reports.
  const listed = (name: string): Effect.Effect<CatalogServer, ConnectionError> =>
    Effect.flatMap(lookup(name), (s) =>
      Effect.flatMap(s.supervisor.connection(), (conn) =>
        Effect.map(s.tools.get(conn), (index): CatalogServer => {
          const version = conn.client.getServerVersion()?.version
          return { name, tools: index.list.map(fromTool), ...(version ? { version } : {}) }
        })
      )
    )

  const catalog = (): Effect.Effect<Catalog> =>
    Effect.forEach(
      names,
      (name) =>
        listed(name).pipe(
          Effect.catch((error) => Effect.succeed<CatalogServer>({ name, tools: [], error: error.message }))
        ),
      { concurrency: "unbounded" }
    ).pipe(Effect.map((list) => ({ servers: list })))

  const callTool = (server: string, tool: string, args?: unknown, options?: CallOptions) => {
    const found = servers.get(server)
    return found === undefined
      ? Effect.fail(new ServerNotFound({ server, known: names }))
      : found.calls.callTool(tool, args, options)
  }

  const callToolResult = (server: string, tool: string, args?: unknown, options?: CallOptions) => {
    const found = servers.get(server)
    return found === undefined
      ? Effect.fail(new ServerNotFound({ server, known: names }))
      : found.calls.callToolResult(tool, args, options)
  }

  const { connect, connectAll, health } = makeHealth(names, lookup)

  const service: Service = {
    servers: names,
    listTools,
    catalog,
    callTool,
    callToolResult,
    changes: Stream.fromPubSub(pubsub),
    subscribeChanges: PubSub.subscribe(pubsub),
    status: () => Effect.sync(() => [...servers.values()].map((s) => s.supervisor.status())),
    connect,
    connectAll,
    health,
    passthrough: passthrough.service()
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
