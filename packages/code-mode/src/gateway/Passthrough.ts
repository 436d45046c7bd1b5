/**
 * What the downstream servers offer besides tools, served through the gateway: resources and
 * resource templates (listed, read, subscribed), prompts (listed, got), completions, the log level,
 * and the servers' notifications (resource updates, list changes, log messages with the server
 * named) forwarded to the client; a server's log message goes to the request whose call to it is in
 * flight (`callerFor`), a message of no call to every client that asked for its level; servers'
 * sampling and elicitation requests go to the client whose call is in flight (Routes.ts). Names and URIs are kept as the servers give them; when two servers offer
 * the same one, the later server's is exposed as `<server>/<name>` (and routed back).
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { ServerNotification } from "@modelcontextprotocol/sdk/types.js"
import {
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  type LoggingLevel,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import { Callers } from "@tta/mcp"
import { Effect, Exit, Stream } from "effect"
import { type Hub, listAll, listPage, serversWith } from "./Listing.ts"
import { clientFor, failure, type Names, type Routes, rpcError } from "./Routes.ts"

export { makeRoutes, type Routes, rpcError } from "./Routes.ts"

/** Run an effect for a request; a failure becomes the JSON-RPC error the client receives. */
export type RunPromise = <A, E>(effect: Effect.Effect<A, E>) => Promise<Exit.Exit<A, E>>

const notFound = (what: string, name: string) =>
  Effect.fail(rpcError(ErrorCode.InvalidParams, `Unknown ${what}: ${name}`))

/** Whether a session's client asked for messages of `level` (it set a level at or below it). */
export interface LogFilter {
  readonly wants: (level: LoggingLevel) => boolean
}

/** What one session's passthrough handlers share. */
interface Session {
  readonly server: Server
  readonly hub: Hub
  readonly routes: Routes
  readonly run: RunPromise
  readonly logs: LogFilter
  /** URIs this session subscribed to. */
  readonly subscribed: Set<string>
}

/** A downstream log message as this gateway sends it: its logger is `<server>` or `<server>/<logger>`. */
const named = (downstream: string, params: Callers.LogParams) => ({
  ...params,
  logger: params.logger === undefined ? downstream : `${downstream}/${params.logger}`
})

/**
 * The hub's caller for one request of `session`: the log messages servers send while its calls
 * to them are in flight go out with `send` (the request's own stream), when the client wants them.
 */
export const callerFor = (
  session: Server,
  logs: LogFilter,
  send: (notification: ServerNotification) => void
): Callers.Caller => ({
  group: session,
  log: (downstream, params) => {
    if (logs.wants(params.level)) send({ method: "notifications/message", params: named(downstream, params) })
  }
})

/** A request handler running `f` on the session's runtime; a failure is the JSON-RPC error sent. */
const answerFor =
  ({ server, routes, run, logs }: Session) =>
  <P, A>(f: (params: P) => Effect.Effect<A, unknown>) =>
  async (
    request: { readonly params?: P },
    extra: { readonly sendNotification: (n: ServerNotification) => Promise<void> }
  ) => {
    routes.latest = server
    const send = (n: ServerNotification) => void extra.sendNotification(n).catch(() => undefined)
    const exit = await run(
      Effect.provideService(f(request.params as P), Callers.Caller, callerFor(server, logs, send))
    )
    if (Exit.isSuccess(exit)) return exit.value as never
    throw failure(exit.cause)
  }

const listTemplatesOf = ({ hub, routes }: Session) =>
  listAll(hub, "resources", (s, cursor) =>
    Effect.map(hub.passthrough.listResourceTemplates(s, cursor), (r) => ({
      items: r.resourceTemplates,
      next: r.nextCursor
    }))
  ).pipe(
    Effect.tap((all) =>
      Effect.sync(() => {
        for (const { server: s, item } of all) routes.templates.expose(s, item.uriTemplate)
      })
    )
  )

const listPromptsOf = ({ hub, routes }: Session) =>
  listAll(hub, "prompts", (s, cursor) =>
    Effect.map(hub.passthrough.listPrompts(s, cursor), (r) => ({ items: r.prompts, next: r.nextCursor }))
  ).pipe(
    Effect.map((all) =>
      all.map(({ server: s, item }) => ({ ...item, name: routes.prompts.expose(s, item.name) }))
    )
  )

// A name this gateway has not listed yet (a client may ask without listing first): list, then look again.
const owner = (names: Names, name: string, list: Effect.Effect<unknown, unknown>) =>
  Effect.suspend(() => {
    const known = names.resolve(name)
    return known ? Effect.succeed(known) : Effect.map(Effect.ignore(list), () => names.resolve(name))
  })

/** resources/list, templates/list, read, subscribe and unsubscribe. */
const registerResources = (session: Session) => {
  const { server, hub, routes, subscribed } = session
  const answer = answerFor(session)
  const resource = (uri: string) => routes.resources.resolve(uri) ?? routes.templates.resolve(uri)

  server.setRequestHandler(
    ListResourcesRequestSchema,
    answer((params: { cursor?: string | undefined } | undefined) =>
      listPage(
        hub,
        "resources",
        (s, cursor) =>
          Effect.map(hub.passthrough.listResources(s, cursor), (r) => ({
            items: r.resources,
            next: r.nextCursor
          })),
        params?.cursor
      ).pipe(
        Effect.map((p) => ({
          resources: p.items.map(({ server: s, item }) => ({
            ...item,
            uri: routes.resources.expose(s, item.uri)
          })),
          ...(p.nextCursor === undefined ? {} : { nextCursor: p.nextCursor })
        }))
      )
    )
  )
  server.setRequestHandler(
    ListResourceTemplatesRequestSchema,
    answer((params: { cursor?: string | undefined } | undefined) =>
      listPage(
        hub,
        "resources",
        (s, cursor) =>
          Effect.map(hub.passthrough.listResourceTemplates(s, cursor), (r) => ({
            items: r.resourceTemplates,
            next: r.nextCursor
          })),
        params?.cursor
      ).pipe(
        Effect.map((p) => ({
          resourceTemplates: p.items.map(({ server: s, item }) => {
            routes.templates.expose(s, item.uriTemplate)
            return item
          }),
          ...(p.nextCursor === undefined ? {} : { nextCursor: p.nextCursor })
        }))
      )
    )
  )
  // A URI no listing named (one made from a template, say) goes to the first server that reads it.
  const readAnywhere = (uri: string) =>
    Effect.flatMap(serversWith(hub, "resources"), (servers) =>
      Effect.firstSuccessOf(servers.map((s) => hub.passthrough.readResource(s, uri)))
    )
  server.setRequestHandler(
    ReadResourceRequestSchema,
    answer(({ uri }: { uri: string }) => {
      const owner = routes.resources.resolve(uri)
      return owner ? hub.passthrough.readResource(owner.server, owner.name) : readAnywhere(uri)
    })
  )
  const subscription = (on: boolean) =>
    answer(({ uri }: { uri: string }) =>
      Effect.gen(function* () {
        const owner = resource(uri)
        // A URI no listing named may be any resource server's: ask each that declares resources.
        const targets = owner
          ? [owner]
          : (yield* serversWith(hub, "resources")).map((server) => ({ server, name: uri }))
        if (targets.length === 0) return yield* notFound("resource", uri)
        if (on) subscribed.add(uri)
        else subscribed.delete(uri)
        const change = (t: { readonly server: string; readonly name: string }) =>
          on ? hub.passthrough.subscribe(t.server, t.name) : hub.passthrough.unsubscribe(t.server, t.name)
        const exits = yield* Effect.forEach(targets, (t) => Effect.exit(change(t)), {
          concurrency: "unbounded"
        })
        const failed = exits.find(Exit.isFailure)
        if (failed !== undefined && !exits.some(Exit.isSuccess)) return yield* failed
        return {}
      })
    )
  server.setRequestHandler(SubscribeRequestSchema, subscription(true))
  server.setRequestHandler(UnsubscribeRequestSchema, subscription(false))
}

/** prompts/list, prompts/get and completion/complete. */
const registerPrompts = (session: Session) => {
  const { server, hub, routes } = session
  const answer = answerFor(session)
  const listPrompts = listPromptsOf(session)
  const listTemplates = listTemplatesOf(session)
  server.setRequestHandler(
    ListPromptsRequestSchema,
    answer((params: { cursor?: string | undefined } | undefined) =>
      listPage(
        hub,
        "prompts",
        (s, cursor) =>
          Effect.map(hub.passthrough.listPrompts(s, cursor), (r) => ({
            items: r.prompts,
            next: r.nextCursor
          })),
        params?.cursor
      ).pipe(
        Effect.map((p) => ({
          prompts: p.items.map(({ server: s, item }) => ({
            ...item,
            name: routes.prompts.expose(s, item.name)
          })),
          ...(p.nextCursor === undefined ? {} : { nextCursor: p.nextCursor })
        }))
      )
    )
  )
  server.setRequestHandler(
    GetPromptRequestSchema,
    answer(({ name, arguments: args }: { name: string; arguments?: Record<string, string> | undefined }) =>
      Effect.flatMap(
        owner(routes.prompts, name, listPrompts),
        (o): Effect.Effect<unknown, unknown> =>
          o ? hub.passthrough.getPrompt(o.server, o.name, args) : notFound("prompt", name)
      )
    )
  )
  server.setRequestHandler(
    CompleteRequestSchema,
    answer((params: { ref: { type: string; name?: string; uri?: string } } & Record<string, unknown>) => {
      const ref = params.ref
      const isPrompt = ref.type === "ref/prompt"
      const name = (isPrompt ? ref.name : ref.uri) ?? ""
      return Effect.flatMap(
        isPrompt ? owner(routes.prompts, name, listPrompts) : owner(routes.templates, name, listTemplates),
        (o): Effect.Effect<unknown, unknown> => {
          if (o === undefined) return notFound(isPrompt ? "prompt" : "resource template", name)
          const downstream = isPrompt ? { ...ref, name: o.name } : { ...ref, uri: o.name }
          return hub.passthrough.complete(o.server, { ...params, ref: downstream } as never)
        }
      )
    })
  )
}

/**
 * The servers' notifications to this session, for as long as its runtime lives. The log messages
 * here belong to no call of a client (the hub hands those to the calling request, `callerFor`):
 * a server's own messages, which each client would get from the server if it were connected to it
 * directly, so each client that set a level admitting them gets them.
 */
const forwardNotifications = ({ server, hub, routes, run, subscribed, logs }: Session) => {
  const forward = Stream.runForEach(hub.passthrough.notifications, (n) =>
    Effect.promise(async () => {
      switch (n.method) {
        case "notifications/message":
          if (!logs.wants(n.params.level)) return
          return server.sendLoggingMessage(named(n.server, n.params))
        case "notifications/resources/updated": {
          const uri = routes.resources.expose(n.server, n.params.uri)
          return subscribed.has(uri) ? server.sendResourceUpdated({ uri }) : undefined
        }
        case "notifications/resources/list_changed":
          return server.sendResourceListChanged()
        case "notifications/prompts/list_changed":
          return server.sendPromptListChanged()
      }
    }).pipe(Effect.ignore)
  )
  void run(forward)
  // A server's tool list changed: the direct tools may have too.
  void run(
    Stream.runForEach(hub.changes, () => Effect.ignore(Effect.promise(() => server.sendToolListChanged())))
  )
}

/** Registers the passthrough handlers on one session's server; notifications flow while `run` lives. */
export const register = (server: Server, hub: Hub, routes: Routes, run: RunPromise, logs: LogFilter) => {
  const session: Session = { server, hub, routes, run, logs, subscribed: new Set() }
  registerResources(session)
  registerPrompts(session)
  forwardNotifications(session)
}

/** MCP's log levels, least severe first. */
export const levels = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency"
] as const

/**
 * `logging/setLevel` from `session` (undefined: it closed). The servers that log are shared by every
 * session, so they are set to the most verbose level an open session asked for: a client asking for
 * less does not silence the others (each session filters what it sends on to its own level).
 */
export const setLevel = (hub: Hub, routes: Routes, session: Server, level: LoggingLevel | undefined) =>
  Effect.suspend(() => {
    if (level === undefined) routes.levels.delete(session)
    else routes.levels.set(session, level)
    const wanted = [...routes.levels.values()].sort((a, b) => levels.indexOf(a) - levels.indexOf(b))[0]
    if (wanted === undefined || wanted === routes.downstreamLevel) return Effect.void
    routes.downstreamLevel = wanted
    return Effect.flatMap(serversWith(hub, "logging"), (servers) =>
      Effect.forEach(servers, (s) => Effect.ignore(hub.passthrough.setLogLevel(s, wanted)), {
        discard: true
      })
    )
  })

/** The capabilities a gateway declares for what it passes through. */
export const capabilities = {
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {}
} as const

/**
 * Answers servers' sampling and elicitation requests by asking the client whose call to that server
 * is in flight (else the one that made the last request), when it supports them, until the scope closes.
 */
export const answerServerRequests = (hub: Hub, routes: Routes) =>
  hub.passthrough.handleRequests({
    sampling: (_downstream, params, signal, caller) =>
      Effect.tryPromise(() => {
        const client = clientFor(routes, caller)
        if (client?.getClientCapabilities()?.sampling === undefined) {
          throw rpcError(ErrorCode.InvalidRequest, "The gateway's client does not support sampling")
        }
        return client.createMessage(params, { signal })
      }),
    elicitation: (_downstream, params, signal, caller) =>
      Effect.tryPromise(() => {
        const client = clientFor(routes, caller)
        if (client?.getClientCapabilities()?.elicitation === undefined) {
          throw rpcError(ErrorCode.InvalidRequest, "The gateway's client does not support elicitation")
        }
        return client.elicitInput(params as never, { signal })
      })
  })
