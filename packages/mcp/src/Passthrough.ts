/**
 * The rest of MCP, passed through per server for a gateway: resources (pages, templates, read,
 * subscribe), prompts, completions, the log level, the servers' notifications (resources
 * updated or changed, prompts changed, log messages), and the requests servers make of their
 * client (sampling, elicitation), answered by handlers the gateway installs. Subscriptions and
 * the log level survive a server restart (they are sent again on the new connection).
 * Progress of a tool call: `CallOptions.onProgress`. A log message sent while a caller's call is
 * in flight goes to that caller instead of `notifications` (Callers.ts).
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import type {
  ClientCapabilities,
  CompleteRequest,
  CompleteResult,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  GetPromptResult,
  Implementation,
  ListPromptsResult,
  ListResourcesResult,
  ListResourceTemplatesResult,
  LoggingLevel,
  LoggingMessageNotification,
  ReadResourceResult,
  ServerCapabilities
} from "@modelcontextprotocol/sdk/types.js"
import { Effect, PubSub, type Scope, Stream } from "effect"
import { type Caller, InFlight } from "./Callers.ts"
import type { Connection } from "./Connection.ts"
import type { ConnectionError } from "./Errors.ts"
import { ErrorCode } from "./Protocol.ts"
import { type RequestFailure, request } from "./Requests.ts"
import { loadedSdk } from "./Sdk.ts"
import type { Supervisor } from "./Supervisor.ts"

/** A notification from a downstream server, with the server named. */
export type Notification =
  | {
      readonly server: string
      readonly method: "notifications/resources/updated"
      readonly params: { readonly uri: string }
    }
  | { readonly server: string; readonly method: "notifications/resources/list_changed" }
  | { readonly server: string; readonly method: "notifications/prompts/list_changed" }
  | {
      readonly server: string
      readonly method: "notifications/message"
      readonly params: LoggingMessageNotification["params"]
    }

/**
 * Answers to the requests servers make of their client; `signal` aborts when the server cancels;
 * `caller` is the caller of the latest call to that server in flight (Callers.ts), if any.
 */
export interface RequestHandlers {
  readonly sampling?: (
    server: string,
    params: CreateMessageRequest["params"],
    signal: AbortSignal,
    caller: Caller | undefined
  ) => Effect.Effect<CreateMessageResult, unknown>
  readonly elicitation?: (
    server: string,
    params: ElicitRequest["params"],
    signal: AbortSignal,
    caller: Caller | undefined
  ) => Effect.Effect<ElicitResult, unknown>
}

/** What a server said about itself at `initialize`. */
export interface ServerInfo {
  readonly name: string
  readonly capabilities: ServerCapabilities
  readonly version: Implementation
  readonly instructions?: string
}

/** Failures of a passthrough request. */
export type PassthroughError = ConnectionError | RequestFailure

export interface Service {
  /** Connects and returns the server's capabilities, name/version and instructions. */
  readonly info: (server: string) => Effect.Effect<ServerInfo, PassthroughError>
  /** One page of resources (`cursor` from the previous page's `nextCursor`). */
  readonly listResources: (
    server: string,
    cursor?: string
  ) => Effect.Effect<ListResourcesResult, PassthroughError>
  readonly listResourceTemplates: (
    server: string,
    cursor?: string
  ) => Effect.Effect<ListResourceTemplatesResult, PassthroughError>
  readonly readResource: (server: string, uri: string) => Effect.Effect<ReadResourceResult, PassthroughError>
  /** `notifications/resources/updated` for `uri` then arrive on `notifications`. */
  readonly subscribe: (server: string, uri: string) => Effect.Effect<void, PassthroughError>
  readonly unsubscribe: (server: string, uri: string) => Effect.Effect<void, PassthroughError>
  readonly listPrompts: (
    server: string,
    cursor?: string
  ) => Effect.Effect<ListPromptsResult, PassthroughError>
  readonly getPrompt: (
    server: string,
    name: string,
    args?: Readonly<Record<string, string>>
  ) => Effect.Effect<GetPromptResult, PassthroughError>
  readonly complete: (
    server: string,
    params: CompleteRequest["params"]
  ) => Effect.Effect<CompleteResult, PassthroughError>
  /** `logging/setLevel`; log messages then arrive on `notifications`. */
  readonly setLogLevel: (server: string, level: LoggingLevel) => Effect.Effect<void, PassthroughError>
  /**
   * Every server's notifications (tool list changes are on `McpHub.changes`), but for the log
   * messages handed to a caller (Callers.ts).
   */
  readonly notifications: Stream.Stream<Notification>
  /** A subscription to `notifications` that is live as soon as this effect returns. */
  readonly subscribeNotifications: Effect.Effect<PubSub.Subscription<Notification>, never, Scope.Scope>
  /**
   * Installs the handlers that answer servers' sampling / elicitation requests, until the scope
   * closes. The hub must declare them (`McpHubOptions.capabilities`: `{ sampling: {} }`,
   * `{ elicitation: {} }`); with no handler installed such a request gets a JSON-RPC error.
   */
  readonly handleRequests: (handlers: RequestHandlers) => Effect.Effect<void, never, Scope.Scope>
}

interface ServerState {
  readonly subscriptions: Set<string>
  /** The callers of this server's calls and requests in flight. */
  readonly inFlight: InFlight
  logLevel: LoggingLevel | undefined
}

export interface PassthroughOptions {
  readonly timeoutMs: number
  readonly capabilities: ClientCapabilities
  readonly runFork: (effect: Effect.Effect<unknown>) => unknown
  readonly runPromise: <A>(effect: Effect.Effect<A, unknown>) => Promise<A>
  readonly pubsub: PubSub.PubSub<Notification>
}

export class Passthrough {
  readonly options: PassthroughOptions
  readonly #lookup: (server: string) => Effect.Effect<Supervisor, ConnectionError>
  readonly #states = new Map<string, ServerState>()
  #handlers: RequestHandlers = {}

  constructor(
    lookup: (server: string) => Effect.Effect<Supervisor, ConnectionError>,
    options: PassthroughOptions
  ) {
    this.#lookup = lookup
    this.options = options
  }

  /** What the Supervisor of `server` needs: capabilities, the handlers' setup, the re-sends. */
  hooks(server: string) {
    const state: ServerState = { subscriptions: new Set(), inFlight: new InFlight(), logLevel: undefined }
    this.#states.set(server, state)
    return {
      inFlight: state.inFlight,
      capabilities: this.options.capabilities,
      setup: (client: Client, conn: Connection) => this.#setup(server, state, client, conn),
      onConnected: (conn: Connection) => this.#restore(state, conn)
    }
  }

  service(): Service {
    const call = <A>(
      server: string,
      method: string,
      run: (client: Client, signal: AbortSignal) => Promise<A>
    ) => this.#request(server, method, run)
    const states = this.#states
    const page = (cursor: string | undefined) => (cursor === undefined ? {} : { cursor })
    return {
      info: (server) =>
        Effect.flatMap(this.#lookup(server), (supervisor) =>
          Effect.map(supervisor.connection(), (conn) => {
            const instructions = conn.client.getInstructions()
            return {
              name: server,
              capabilities: conn.client.getServerCapabilities() ?? {},
              version: conn.client.getServerVersion() ?? { name: server, version: "unknown" },
              ...(instructions === undefined ? {} : { instructions })
            }
          })
        ),
      listResources: (server, cursor) =>
        call(server, "resources/list", (c, signal) => c.listResources(page(cursor), this.#opts(signal))),
      listResourceTemplates: (server, cursor) =>
        call(server, "resources/templates/list", (c, signal) =>
          c.listResourceTemplates(page(cursor), this.#opts(signal))
        ),
      readResource: (server, uri) =>
        call(server, "resources/read", (c, signal) => c.readResource({ uri }, this.#opts(signal))),
      subscribe: (server, uri) =>
        call(server, "resources/subscribe", (c, signal) =>
          c.subscribeResource({ uri }, this.#opts(signal))
        ).pipe(
          Effect.tap(() => Effect.sync(() => states.get(server)?.subscriptions.add(uri))),
          Effect.asVoid
        ),
      unsubscribe: (server, uri) =>
        Effect.sync(() => states.get(server)?.subscriptions.delete(uri)).pipe(
          Effect.andThen(
            call(server, "resources/unsubscribe", (c, signal) =>
              c.unsubscribeResource({ uri }, this.#opts(signal))
            )
          ),
          Effect.asVoid
        ),
      listPrompts: (server, cursor) =>
        call(server, "prompts/list", (c, signal) => c.listPrompts(page(cursor), this.#opts(signal))),
      getPrompt: (server, name, args) =>
        call(server, "prompts/get", (c, signal) =>
          c.getPrompt({ name, ...(args === undefined ? {} : { arguments: { ...args } }) }, this.#opts(signal))
        ),
      complete: (server, params) =>
        call(server, "completion/complete", (c, signal) => c.complete(params, this.#opts(signal))),
      setLogLevel: (server, level) =>
        call(server, "logging/setLevel", (c, signal) => c.setLoggingLevel(level, this.#opts(signal))).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              const state = states.get(server)
              if (state !== undefined) state.logLevel = level
            })
          ),
          Effect.asVoid
        ),
      notifications: Stream.fromPubSub(this.options.pubsub),
      subscribeNotifications: PubSub.subscribe(this.options.pubsub),
      handleRequests: (handlers) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const previous = this.#handlers
            this.#handlers = handlers
            return previous
          }),
          (previous) =>
            Effect.sync(() => {
              this.#handlers = previous
            })
        ).pipe(Effect.asVoid)
    }
  }

  #opts(signal: AbortSignal) {
    return { signal, timeout: this.options.timeoutMs }
  }

  #request<A>(
    server: string,
    method: string,
    run: (client: Client, signal: AbortSignal) => Promise<A>
  ): Effect.Effect<A, PassthroughError> {
    const inFlight = this.#states.get(server)?.inFlight
    return Effect.flatMap(this.#lookup(server), (supervisor) =>
      Effect.flatMap(supervisor.connection(), (conn) => {
        const sent = request(supervisor, conn, method, this.options.timeoutMs, (signal) =>
          run(conn.client, signal)
        )
        return inFlight === undefined ? sent : inFlight.track(sent, false)
      })
    )
  }

  // Forwards the server's notifications, and answers its sampling / elicitation requests with
  // the installed handlers (only what the hub declared: the SDK refuses the rest).
  #setup(server: string, state: ServerState, client: Client, conn: Connection): void {
    // Runs with a new connection, so the SDK is loaded (see Sdk.ts).
    const {
      CreateMessageRequestSchema,
      ElicitRequestSchema,
      LoggingMessageNotificationSchema,
      McpError,
      PromptListChangedNotificationSchema,
      ResourceListChangedNotificationSchema,
      ResourceUpdatedNotificationSchema
    } = loadedSdk()
    const publish = (notification: Notification) => {
      if (conn.alive) this.options.runFork(PubSub.publish(this.options.pubsub, notification))
    }
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
      publish({ server, method: "notifications/resources/updated", params: { uri: n.params.uri } })
    )
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () =>
      publish({ server, method: "notifications/resources/list_changed" })
    )
    client.setNotificationHandler(PromptListChangedNotificationSchema, () =>
      publish({ server, method: "notifications/prompts/list_changed" })
    )
    // A log message is routed as it is read, before the SDK sees it (it hands notifications on a
    // microtask later, when the answer of the call it belongs to may have ended the call): the
    // Protocol calls a transport's `onmessage` set before `connect` first, for every message.
    conn.transport.onmessage = (message) => {
      if ((message as { method?: unknown }).method !== "notifications/message" || !conn.alive) return
      const parsed = LoggingMessageNotificationSchema.safeParse(message)
      if (!parsed.success) return
      const params = parsed.data.params
      if (!state.inFlight.deliver(server, params))
        publish({ server, method: "notifications/message", params })
    }
    const missing = (what: string) =>
      new McpError(ErrorCode.MethodNotFound, `no client is connected to answer ${what} for "${server}"`)
    if (this.options.capabilities.sampling !== undefined) {
      client.setRequestHandler(CreateMessageRequestSchema, (r, extra) => {
        const handler = this.#handlers.sampling
        if (handler === undefined) throw missing("sampling/createMessage")
        return this.options.runPromise(handler(server, r.params, extra.signal, state.inFlight.latest()))
      })
    }
    if (this.options.capabilities.elicitation !== undefined) {
      client.setRequestHandler(ElicitRequestSchema, (r, extra) => {
        const handler = this.#handlers.elicitation
        if (handler === undefined) throw missing("elicitation/create")
        return this.options.runPromise(handler(server, r.params, extra.signal, state.inFlight.latest()))
      })
    }
  }

  // A new connection (a restart): subscribe again and set the log level again, before the
  // connection serves anything (best effort: a refusal is the server's to report).
  #restore(state: ServerState, conn: Connection): Effect.Effect<void> {
    if (state.subscriptions.size === 0 && state.logLevel === undefined) return Effect.void
    const level = state.logLevel
    const uris = [...state.subscriptions]
    const timeout = this.options.timeoutMs
    return Effect.promise(() =>
      Promise.allSettled([
        ...(level === undefined ? [] : [conn.client.setLoggingLevel(level, { timeout })]),
        ...uris.map((uri) => conn.client.subscribeResource({ uri }, { timeout }))
      ])
    ).pipe(Effect.asVoid)
  }
}
