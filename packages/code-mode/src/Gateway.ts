/**
 * The gateway: code mode as one MCP server. Any MCP client gets five tools — search, read the
 * generated API, execute code, save and list skills — instead of every downstream tool definition.
 * The parts live in gateway/: the tool table (Tools), the MCP server (Server), and the transports
 * (Stdio, Http); this module is their public face.
 */
import { Effect } from "effect"
import * as Http from "./gateway/Http.ts"
import * as Responses from "./gateway/Responses.ts"
import * as Server from "./gateway/Server.ts"
import * as Stdio from "./gateway/Stdio.ts"
import * as Tools from "./gateway/Tools.ts"

export const serverInfo = Tools.serverInfo
export const instructions = Tools.instructions
/** The gateway's tool definitions, as a client receives them from tools/list. */
export const tools = Tools.tools
export const handleCall = Tools.handleCall
export const summarizeCalls = Responses.summarizeCalls
/** Console lines one execute sends live as log messages, at most (the rest are in its answer). */
export const liveLogLines = Server.liveLogLines
export { GatewayListenError, type HttpGateway } from "./gateway/Http.ts"
export { BadArguments, UnknownTool } from "./gateway/Tools.ts"
export type HttpOptions = Http.Options
/** execute's structuredContent (its outputSchema is derived from `Responses.ExecuteOutput`). */
export type ExecuteOutput = Responses.ExecuteOutput

/** A low-level MCP server answering with the CodeMode service in context, until the scope closes. */
export const makeServer = Effect.fnUntraced(function* () {
  return Server.make(yield* Server.runtime(), yield* Server.extras())
})

/** Serves the gateway on stdin/stdout until the scope closes. */
export const serveStdio = Stdio.serve

/** Serves the gateway over Streamable HTTP at `/mcp`, one session per client, until the scope closes. */
export const serveHttp = Http.serve
