/**
 * Who is calling a server, so that the log messages it sends while it serves a call reach that
 * caller alone. A hub's user (a gateway's request) provides a `Caller` in the context of its hub
 * calls; a `notifications/message` that a server sends while calls of callers are in flight goes to
 * those callers. It is decided as the message is read off the wire, before the call's answer is
 * read (a server writes its log lines before its answer), so a call ending cannot race it; a
 * tools/call stops counting when its answer is read (on stdio, in the same step), so a line the
 * server writes after answering is not taken for the call's.
 * Messages sent while no caller's call is in flight (the server's own, or a call without a caller)
 * go to the hub's `passthrough.notifications` instead.
 *
 * Over stdio a notification names no request: while two callers' calls to one server are in
 * flight, each of them gets the message (it cannot be told whose it is).
 */
import type { LoggingMessageNotification } from "@modelcontextprotocol/sdk/types.js"
import { Context, Effect } from "effect"

/** A log message's parameters, as the server sent them. */
export type LogParams = LoggingMessageNotification["params"]

export interface Caller {
  /** Callers of one group (one client's requests) get each message once: the latest caller. */
  readonly group?: object | undefined
  /** A message `server` sent while this caller's call to it was in flight. */
  readonly log: (server: string, params: LogParams) => void
}

/** The caller of the hub calls made in this context (none: messages go to `notifications`). */
export const Caller = Context.Reference<Caller | undefined>("@tta/mcp/Callers/Caller", {
  defaultValue: () => undefined
})

/** The callers of one server's requests in flight. Internal to the package. */
export class InFlight {
  readonly #entries: Array<{ readonly caller: Caller; readonly toolCall: boolean }> = []

  /** A request of `caller` to this server is sent (`toolCall`: a tools/call); returns what ends it. */
  add(caller: Caller, toolCall: boolean): () => void {
    const entry = { caller, toolCall }
    this.#entries.push(entry)
    return () => {
      const at = this.#entries.lastIndexOf(entry)
      if (at >= 0) this.#entries.splice(at, 1)
    }
  }

  /** Runs `effect` (a request to this server) as a request of the context's caller, if it has one. */
  track<A, E, R>(effect: Effect.Effect<A, E, R>, toolCall: boolean): Effect.Effect<A, E, R> {
    return Effect.withFiber((fiber) => {
      const caller = fiber.getRef(Caller)
      if (caller === undefined) return effect
      return Effect.acquireUseRelease(
        Effect.sync(() => this.add(caller, toolCall)),
        () => effect,
        (end) => Effect.sync(end)
      )
    })
  }

  /**
   * Who a server's own request (sampling, elicitation) is for: the caller of the latest tools/call
   * in flight (such requests come from a tool's work), else of the latest other request.
   */
  latest(): Caller | undefined {
    return (this.#entries.findLast((e) => e.toolCall) ?? this.#entries.at(-1))?.caller
  }

  /** Hands a message to each caller in flight (once per group, latest first); false if none is. */
  deliver(server: string, params: LogParams): boolean {
    if (this.#entries.length === 0) return false
    const seen = new Set<object>()
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const caller = (this.#entries[i] as { readonly caller: Caller }).caller
      const group = caller.group ?? caller
      if (seen.has(group)) continue
      seen.add(group)
      try {
        caller.log(server, params)
      } catch {
        // A caller that cannot take the message (its client is gone) does not stop the others.
      }
    }
    return true
  }
}
