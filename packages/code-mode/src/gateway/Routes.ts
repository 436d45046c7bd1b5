/**
 * How the gateway finds its way back: which server owns an exposed name or URI (kept as the
 * servers give them; a later server's duplicate is `<server>/<name>`), which client a server's own
 * request (sampling, elicitation) goes to, and the JSON-RPC errors it answers with.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ErrorCode, type LoggingLevel, McpError } from "@modelcontextprotocol/sdk/types.js"
import type { Callers } from "@tta/mcp"
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
  /** The log level each open session asked for (`logging/setLevel`). */
  readonly levels: Map<Server, LoggingLevel>
  /** The level the servers that log were last set to: the most verbose in `levels`. */
  downstreamLevel: LoggingLevel | undefined
}

/**
 * Who a server's own request (sampling, elicitation) goes to: the session whose call to that server
 * is in flight (the hub's latest caller; its group is the session), else the one that made the last request.
 */
export const clientFor = (routes: Routes, caller: Callers.Caller | undefined): Server | undefined =>
  caller?.group instanceof Server ? caller.group : routes.latest

export const makeRoutes = (): Routes => ({
  resources: new Names(),
  templates: new Names(),
  prompts: new Names(),
  latest: undefined,
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
