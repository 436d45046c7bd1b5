/**
 * What the downstream servers offer besides tools, served through the gateway: resources and
 * resource templates (listed, read, subscribed), prompts (listed, got), completions, the log level,
 * and the servers' notifications (resource updates, list changes, log messages with the server
 * named) forwarded to the client; servers' sampling and elicitation requests go to the client that
 * last made a request. Names and URIs are kept as the servers give them; when two servers offer
 * the same one, the later server's is exposed as `<server>/<name>` (and routed back).
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  type LoggingLevel,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import type { McpHub } from "@tta/mcp"
import { Cause, Effect, Exit, Stream } from "effect"

type Hub = McpHub["Service"]
type Capability = "resources" | "prompts" | "completions" | "logging"

/** Run an effect for a request; a failure becomes the JSON-RPC error the client receives. */
export type RunPromise = <A, E>(effect: Effect.Effect<A, E>) => Promise<Exit.Exit<A, E>>

/** Exposed name → the server and its own name; one table per kind of thing. */
class Names {
  readonly #owner = new Map<string, { readonly server: string; readonly name: string }>()
  readonly #exposed = new Map<string, string>()
  /** The name a client sees for `server`'s `name`, claimed on first sight. */
  expose(server: string, name: string): string {
    const known = this.#exposed.get(`${server}\u0000${name}`)
    if (known !== undefined) return known
    const taken = this.#owner.get(name)
    const exposed = taken === undefined || taken.server === server ? name : `${server}/${name}`
    this.#owner.set(exposed, { server, name })
    this.#exposed.set(`${server}\u0000${name}`, exposed)
    return exposed
  }
  resolve(exposed: string) {
    return this.#owner.get(exposed)
  }
}

/** The routing tables a gateway keeps for everything it passes through. */
export interface Routes {
  readonly resources: Names
  readonly templates: Names
  readonly prompts: Names
  /** The session that last made a request, for servers' requests no call of ours is waiting on. */
  latest: Server | undefined
  /** Per downstream server, the sessions with a call to it in flight (most recent last). */
  readonly inFlight: Map<string, Array<Server>>
}

/** A call from `session` to `downstream` starts; returns what ends it. */
export const calling = (routes: Routes, downstream: string, session: Server) => {
  const list = routes.inFlight.get(downstream) ?? []
  list.push(session)
  routes.inFlight.set(downstream, list)
  return () => {
    const at = list.lastIndexOf(session)
    if (at >= 0) list.splice(at, 1)
    if (list.length === 0) routes.inFlight.delete(downstream)
  }
}

/** Who a server's own request (sampling, elicitation) goes to: the session calling it, else the latest. */
const clientFor = (routes: Routes, downstream: string) =>
  routes.inFlight.get(downstream)?.at(-1) ?? routes.latest

export const makeRoutes = (): Routes => ({
  resources: new Names(),
  templates: new Names(),
  prompts: new Names(),
  latest: undefined,
  inFlight: new Map()
})

/**
 * A JSON-RPC error the SDK sends as is (an `McpError` would have its "MCP error -32602:" prefix
 * sent and then added again by the client).
 */
export const rpcError = (code: number, message: string): Error & { readonly code: number } =>
  Object.assign(new Error(message), { code })

const failure = (cause: Cause.Cause<unknown>): Error => {
  const error = Cause.squash(cause)
  if (error instanceof McpError) return rpcError(error.code, error.message.replace(/^MCP error -?\d+: /, ""))
  if (error instanceof Error && typeof (error as { code?: unknown }).code === "number") return error
  const message =
    error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error)
  return rpcError(ErrorCode.InternalError, message)
}

/** Servers that declare `capability`, in config order; ones that cannot start are left out. */
const serversWith = (hub: Hub, capability: Capability) =>
  Effect.filter(hub.servers, (server) =>
    hub.passthrough.info(server).pipe(
      Effect.map((info) => info.capabilities[capability] !== undefined),
      Effect.orElseSucceed(() => false)
    )
  )

/** Every page of one listing of every server that has the capability. */
const listAll = <A>(
  hub: Hub,
  capability: Capability,
  page: (
    server: string,
    cursor: string | undefined
  ) => Effect.Effect<{ items: ReadonlyArray<A>; next?: string | undefined }, unknown>
) =>
  Effect.flatMap(serversWith(hub, capability), (servers) =>
    Effect.forEach(servers, (server) =>
      Effect.gen(function* () {
        const items: Array<A> = []
        let cursor: string | undefined
        do {
          const p = yield* page(server, cursor)
          items.push(...p.items)
          cursor = p.next
        } while (cursor !== undefined)
        return items.map((item) => ({ server, item }))
      })
    ).pipe(Effect.map((lists) => lists.flat()))
  )

/** A gateway cursor: which server (by position) and that server's own cursor. */
interface Cursor {
  readonly s: number
  readonly c?: string | undefined
}
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url")
const decodeCursor = (cursor: string) =>
  Effect.try({
    try: () => {
      const c = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Cursor
      if (typeof c.s !== "number" || (c.c !== undefined && typeof c.c !== "string")) throw new Error("shape")
      return c
    },
    catch: () => rpcError(ErrorCode.InvalidParams, `Invalid cursor: ${cursor}`)
  })

/**
 * One page of a merged listing: one page of one server at a time, in config order, the cursor
 * saying where the next page starts (servers with nothing to list are skipped).
 */
const listPage = <A>(
  hub: Hub,
  capability: Capability,
  page: (
    server: string,
    cursor: string | undefined
  ) => Effect.Effect<{ items: ReadonlyArray<A>; next?: string | undefined }, unknown>,
  cursor: string | undefined
) =>
  Effect.gen(function* () {
    const servers = yield* serversWith(hub, capability)
    let at: Cursor = cursor === undefined ? { s: 0 } : yield* decodeCursor(cursor)
    while (at.s < servers.length) {
      const server = servers[at.s]!
      const p = yield* page(server, at.c)
      const next: Cursor = p.next === undefined ? { s: at.s + 1 } : { s: at.s, c: p.next }
      const more = next.s < servers.length
      if (p.items.length > 0 || !more) {
        return {
          items: p.items.map((item) => ({ server, item })),
          ...(more ? { nextCursor: encodeCursor(next) } : {})
        }
      }
      at = next
    }
    return { items: [] as Array<{ server: string; item: A }> }
  })

const notFound = (what: string, name: string) =>
  Effect.fail(rpcError(ErrorCode.InvalidParams, `Unknown ${what}: ${name}`))

/** What one session's passthrough handlers share. */
interface Session {
  readonly server: Server
  readonly hub: Hub
  readonly routes: Routes
  readonly run: RunPromise
  /** URIs this session subscribed to. */
  readonly subscribed: Set<string>
}

/** A request handler running `f` on the session's runtime; a failure is the JSON-RPC error sent. */
const answerFor =
  ({ server, routes, run }: Session) =>
  <P, A>(f: (params: P) => Effect.Effect<A, unknown>) =>
  async (request: { readonly params?: P }) => {
    routes.latest = server
    const exit = await run(f(request.params as P))
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

/** The servers' notifications to this session, for as long as its runtime lives. */
const forwardNotifications = (
  { server, hub, routes, run, subscribed }: Session,
  logs: { readonly wants: (level: LoggingLevel) => boolean }
) => {
  const forward = Stream.runForEach(hub.passthrough.notifications, (n) =>
    Effect.promise(async () => {
      switch (n.method) {
        case "notifications/message":
          if (!logs.wants(n.params.level)) return
          return server.sendLoggingMessage({
            ...n.params,
            logger: n.params.logger === undefined ? n.server : `${n.server}/${n.params.logger}`
          })
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
export const register = (
  server: Server,
  hub: Hub,
  routes: Routes,
  run: RunPromise,
  logs: { readonly wants: (level: LoggingLevel) => boolean }
) => {
  const session: Session = { server, hub, routes, run, subscribed: new Set() }
  registerResources(session)
  registerPrompts(session)
  forwardNotifications(session, logs)
}

/** `logging/setLevel` passed to every server that logs. */
export const setLevel = (hub: Hub, level: LoggingLevel) =>
  Effect.flatMap(serversWith(hub, "logging"), (servers) =>
    Effect.forEach(servers, (s) => Effect.ignore(hub.passthrough.setLogLevel(s, level)), { discard: true })
  )

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
    sampling: (downstream, params, signal) =>
      Effect.tryPromise(() => {
        const client = clientFor(routes, downstream)
        if (client?.getClientCapabilities()?.sampling === undefined) {
          throw rpcError(ErrorCode.InvalidRequest, "The gateway's client does not support sampling")
        }
        return client.createMessage(params, { signal })
      }),
    elicitation: (downstream, params, signal) =>
      Effect.tryPromise(() => {
        const client = clientFor(routes, downstream)
        if (client?.getClientCapabilities()?.elicitation === undefined) {
          throw rpcError(ErrorCode.InvalidRequest, "The gateway's client does not support elicitation")
        }
        return client.elicitInput(params as never, { signal })
      })
  })
