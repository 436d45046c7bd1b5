/**
 * How the gateway finds its way back: which server owns an exposed name or URI (kept as the
 * servers give them; a later server's duplicate is `<server>/<name>`), which client is calling which
 * server right now (for that server's sampling and elicitation requests), and the JSON-RPC errors
 * it answers with.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ErrorCode, type LoggingLevel, McpError } from "@modelcontextprotocol/sdk/types.js"
import { Cause } from "effect"

/** Exposed name → the server and its own name; one table per kind of thing. */
export class Names {
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
  /** The log level each open session asked for (`logging/setLevel`). */
  readonly levels: Map<Server, LoggingLevel>
  /** The level the servers that log were last set to: the most verbose in `levels`. */
  downstreamLevel: LoggingLevel | undefined
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
export const clientFor = (routes: Routes, downstream: string) =>
  routes.inFlight.get(downstream)?.at(-1) ?? routes.latest

export const makeRoutes = (): Routes => ({
  resources: new Names(),
  templates: new Names(),
  prompts: new Names(),
  latest: undefined,
  inFlight: new Map(),
  levels: new Map(),
  downstreamLevel: undefined
})

/**
 * A JSON-RPC error the SDK sends as is (an `McpError` would have its "MCP error -32602:" prefix
 * sent and then added again by the client).
 */
export const rpcError = (code: number, message: string): Error & { readonly code: number } =>
  Object.assign(new Error(message), { code })

export const failure = (cause: Cause.Cause<unknown>): Error => {
  const error = Cause.squash(cause)
  if (error instanceof McpError) return rpcError(error.code, error.message.replace(/^MCP error -?\d+: /, ""))
  if (error instanceof Error && typeof (error as { code?: unknown }).code === "number") return error
  const message =
    error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error)
  return rpcError(ErrorCode.InternalError, message)
}
