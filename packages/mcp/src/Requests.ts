/**
 * One SDK request as an Effect, and the typed error of a rejected one: a timeout, an answer
 * with a JSON-RPC error, or (using what the connection learned about its death) a crash, an
 * oversized message or garbage on stdout. Internal to the package.
 */
import { Effect } from "effect"
import type { Connection } from "./Connection.ts"
import { ProtocolError, RequestError, ResultTooLarge, ServerCrashed, ToolTimeout } from "./Errors.ts"
import { exitFields, MessageTooLarge } from "./Exit.ts"
import { describeFailure, type Failure } from "./Failure.ts"
import { ErrorCode, isMcpError, type McpErrorLike } from "./Protocol.ts"
import type { Supervisor } from "./Supervisor.ts"

export type RequestFailure = ServerCrashed | ProtocolError | RequestError | ResultTooLarge | ToolTimeout

/** Lets the last stderr lines of a dying process (or a close in flight) arrive first. */
export const nextTick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Maps a rejected SDK request to a typed error. */
export const requestFailure = (
  server: Supervisor,
  conn: Connection,
  method: string,
  tool: string | undefined,
  limitMs: number,
  cause: unknown
): Effect.Effect<never, RequestFailure> =>
  Effect.gen(function* () {
    const name = server.name
    // An answer over the size limit, skipped by the transport: the server is kept.
    if (cause instanceof MessageTooLarge && tool !== undefined) {
      return yield* new ResultTooLarge({ server: name, tool, limitBytes: server.options.maxResultBytes })
    }
    if (isMcpError(cause) && cause.code === ErrorCode.RequestTimeout && conn.alive) {
      server.checkHealth(conn)
      return yield* new ToolTimeout({ server: name, tool: tool ?? method, timeoutMs: limitMs })
    }
    const closedByPeer = isMcpError(cause) && cause.code === ErrorCode.ConnectionClosed
    if (conn.alive && closedByPeer) yield* nextTick
    if (conn.alive && !isMcpError(cause)) {
      // Not an answer from the server: the transport failed (HTTP unreachable, pipe broken).
      void conn.close({
        kind: "unreachable",
        detail: cause instanceof Error ? cause.message : String(cause)
      })
    }
    const failure: Failure | undefined = conn.failure ?? (closedByPeer ? { kind: "exited" } : undefined)
    if (failure === undefined) {
      const error = cause as McpErrorLike
      return yield* new RequestError({
        server: name,
        method,
        ...(tool === undefined ? {} : { tool }),
        code: error.code,
        // SDK servers send "MCP error -32602: ..." and the SDK client prefixes it again.
        detail: error.message.replace(/^(MCP error -?\d+: )+/, "")
      })
    }
    if (failure.kind === "overflow" && tool !== undefined) {
      return yield* new ResultTooLarge({ server: name, tool, limitBytes: server.options.maxResultBytes })
    }
    if (failure.kind === "garbage") {
      return yield* new ProtocolError({ server: name, method, detail: describeFailure(failure) })
    }
    if (failure.kind === "exited") yield* nextTick
    const exit = failure.kind === "exited" ? conn.exit : undefined
    return yield* new ServerCrashed({
      server: name,
      method,
      ...(tool === undefined ? {} : { tool }),
      reason: describeFailure(failure, exit),
      stderr: conn.stderr,
      ...exitFields(exit)
    })
  })

/** One SDK request; interruption aborts it, which makes the SDK send notifications/cancelled. */
export const request = <A>(
  server: Supervisor,
  conn: Connection,
  method: string,
  limitMs: number,
  run: (signal: AbortSignal) => Promise<A>
): Effect.Effect<A, RequestFailure> =>
  Effect.callback<A, RequestFailure>((resume, signal) => {
    run(signal).then(
      (value) => resume(Effect.succeed(value)),
      (cause) => resume(requestFailure(server, conn, method, undefined, limitMs, cause))
    )
  })
