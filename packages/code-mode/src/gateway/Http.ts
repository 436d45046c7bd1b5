/**
 * The gateway over Streamable HTTP at `/mcp`: one MCP session per client, each with its own scope
 * (and, given `perSession`, its own CodeMode), DNS-rebinding protection, and sessions closed when
 * their client ends them or when the gateway's scope closes.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Clock, Duration, Effect, Exit, Schedule, Schema, Scope } from "effect"
import { CodeMode } from "../CodeMode.ts"
import * as Server from "./Server.ts"

export interface Options {
  readonly host?: string | undefined
  readonly port?: number | undefined
  /**
   * A CodeMode of its own for each MCP session (own workspace, own PII tokens), built in a scope
   * that closes with the session. Without it every client shares the CodeMode in context.
   */
  readonly perSession?:
    | ((sessionId: string) => Effect.Effect<CodeMode["Service"], unknown, Scope.Scope>)
    | undefined
  /** A session no request has touched for this long is closed. Default 15 minutes. */
  readonly idleTimeout?: Duration.Input | undefined
  /** Most sessions open at once; a new client beyond it gets HTTP 503 naming the cap. Default 1,000. */
  readonly maxSessions?: number | undefined
}

export interface HttpGateway {
  readonly url: string
  readonly port: number
  /** Sessions open now (a session counts until its scope has closed). */
  readonly sessions: () => number
}

export class GatewayListenError extends Schema.TaggedError<GatewayListenError>()("GatewayListenError", {
  host: Schema.String,
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `Cannot listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

interface Session {
  readonly transport: StreamableHTTPServerTransport
  readonly scope: Scope.Closeable
  /** When a request last started or ended. */
  lastSeen: number
  /** Requests in flight (an open SSE stream counts): a busy session is never idle. */
  active: number
}

const jsonRpcError = (res: ServerResponse, status: number, code: number, message: string) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }))
}

/**
 * Serves the gateway over Streamable HTTP at `/mcp`, one MCP session per client, with DNS-rebinding
 * protection (only Host headers naming this address are accepted). Port 0 picks a free port.
 */
export const serve = Effect.fnUntraced(function* (
  options: Options = {}
): Effect.fn.Return<HttpGateway, GatewayListenError, CodeMode | Scope.Scope> {
  const host = options.host ?? "127.0.0.1"
  const idleMs = Duration.toMillis(Duration.fromInputUnsafe(options.idleTimeout ?? "15 minutes"))
  const maxSessions = options.maxSessions ?? 1_000
  const clock = yield* Clock.Clock
  const gatewayScope = yield* Effect.scope
  // Opening and closing sessions runs here, in the caller's context.
  const run = yield* Server.runtime()
  const sessions = new Map<string, Session>()
  // Scopes not yet closed, sessions or not: what the cap and `sessions()` count.
  const live = new Set<Scope.Closeable>()
  let allowedHosts: Array<string> = []

  /** A session's scope and its MCP server; the scope is closed again if building fails. */
  const open = (id: string) =>
    Effect.gen(function* () {
      const scope = yield* Scope.fork(gatewayScope)
      const built = Effect.gen(function* () {
        if (options.perSession === undefined) return yield* Server.runtime()
        const codeMode = yield* options.perSession(id)
        return yield* Effect.provideService(Server.runtime(), CodeMode, codeMode)
      })
      const sessionRun = yield* Scope.provide(built, scope).pipe(
        Effect.onExit((exit) => (Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void))
      )
      return { server: Server.make(sessionRun), scope }
    })

  const close = async (id: string, scope: Scope.Closeable) => {
    sessions.delete(id)
    await run(Scope.close(scope, Exit.void))
    live.delete(scope)
  }

  /** Closes every session idle for longer than the timeout. */
  const sweep = Effect.gen(function* () {
    const now = clock.currentTimeMillisUnsafe()
    const idle = [...sessions.values()].filter((s) => s.active === 0 && now - s.lastSeen >= idleMs)
    // Closing the transport ends its session (onclose closes the scope).
    yield* Effect.forEach(idle, (s) => Effect.promise(() => s.transport.close()), {
      concurrency: 16,
      discard: true
    })
  })
  yield* Effect.forkScoped(
    Effect.repeat(sweep, Schedule.spaced(Duration.millis(Math.max(10, Math.min(idleMs / 4, 60_000)))))
  )

  const start = async (req: IncomingMessage, res: ServerResponse) => {
    if (live.size >= maxSessions) {
      return jsonRpcError(
        res,
        503,
        -32000,
        `The gateway is at its cap of ${maxSessions} open sessions (maxSessions); close a session or try again later`
      )
    }
    const id = randomUUID()
    const opened = await run(open(id))
    if (Exit.isFailure(opened)) {
      return jsonRpcError(res, 500, -32603, "Cannot start a code-mode session for this client")
    }
    const { server, scope } = opened.value
    live.add(scope)
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, scope, lastSeen: clock.currentTimeMillisUnsafe(), active: 0 })
      }
    })
    transport.onclose = () => void close(id, scope)
    await server.connect(transport)
    await transport.handleRequest(req, res)
    // A request that did not start a session (bad Host header, not an initialize) leaves nothing behind.
    if (transport.sessionId === undefined) {
      await server.close()
      await close(id, scope)
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404).end("Not found: the MCP endpoint is /mcp")
      return
    }
    const sessionId = req.headers["mcp-session-id"]
    if (sessionId === undefined) return start(req, res)
    const session = typeof sessionId === "string" ? sessions.get(sessionId) : undefined
    if (session === undefined) return jsonRpcError(res, 404, -32001, "Session not found")
    // Busy until the response ends (an SSE stream or a long execute can outlive handleRequest).
    session.active++
    session.lastSeen = clock.currentTimeMillisUnsafe()
    res.once("close", () => {
      session.active--
      session.lastSeen = clock.currentTimeMillisUnsafe()
    })
    await session.transport.handleRequest(req, res)
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500).end(String(e))
    })
  })
  const port = yield* Effect.callback<number, GatewayListenError>((resume) => {
    http.once("error", (e) =>
      resume(Effect.fail(new GatewayListenError({ host, port: options.port ?? 0, reason: e.message })))
    )
    http.listen(options.port ?? 0, host, () => resume(Effect.succeed((http.address() as AddressInfo).port)))
  })
  allowedHosts = [`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]
  yield* Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const open = [...sessions.values()]
      sessions.clear()
      yield* Effect.forEach(open, (s) => Effect.promise(() => s.transport.close()), {
        concurrency: "unbounded",
        discard: true
      })
      // Every session scope, also those of sessions still starting.
      const scopes = [...live]
      live.clear()
      yield* Effect.forEach(scopes, (scope) => Scope.close(scope, Exit.void), { discard: true })
      yield* Effect.promise(() => {
        http.closeAllConnections()
        return new Promise<void>((resolve) => http.close(() => resolve()))
      })
    })
  )
  return { url: `http://${host}:${port}/mcp`, port, sessions: () => live.size }
})
