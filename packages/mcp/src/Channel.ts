/**
 * Requests sent beside the SDK's `Protocol` on a stdio transport, for the tools/call hot path.
 * They carry ids of their own ("tta:1", "tta:2", ...: strings, so they never meet the
 * Protocol's numbers), and their responses are routed here by the transport before the
 * Protocol sees them: no schema parse of the message, no promise, no per-call AbortController;
 * a timeout or a cancel sends `notifications/cancelled` as the SDK does. Everything else
 * (initialize, ping, tools/list, notifications, server requests) stays with the SDK `Client`.
 */
import { ErrorCode, type JSONRPCMessage, McpError } from "@modelcontextprotocol/sdk/types.js"

/** Called once per request: with an error, or with the `result` of the response. */
export type Done = (error: Error | undefined, result?: unknown) => void

const PREFIX = "tta:"

interface Pending {
  readonly done: Done
  readonly timer: ReturnType<typeof setTimeout>
}

/** A JSON-RPC response (or error response) to one of this channel's requests, as received. */
interface Response {
  readonly id: string
  readonly result?: unknown
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly data?: unknown }
}

export class Channel {
  readonly #write: (message: JSONRPCMessage) => void
  readonly #pending = new Map<string, Pending>()
  #next = 0
  #closed = false

  /** `write` sends one message (it may throw when the pipe is gone). */
  constructor(write: (message: JSONRPCMessage) => void) {
    this.#write = write
  }

  /** Whether a parsed message is a response to this channel (then `receive` takes it). */
  static owns(message: unknown): message is Response {
    const id = (message as { id?: unknown }).id
    return (
      typeof id === "string" &&
      id.startsWith(PREFIX) &&
      (message as { method?: unknown }).method === undefined
    )
  }

  /**
   * Sends `method` with `params`; `done` is called once, with the result, a JSON-RPC error
   * (`McpError`), a timeout (`McpError` RequestTimeout, after sending the cancellation), or
   * `ConnectionClosed`. Returns a cancel: it sends the cancellation and calls `done` with an
   * abort error at once.
   */
  request(
    method: string,
    params: Record<string, unknown>,
    timeoutMs: number,
    done: Done
  ): (reason: string) => void {
    const id = `${PREFIX}${++this.#next}`
    if (this.#closed) {
      done(new McpError(ErrorCode.ConnectionClosed, "Connection closed"))
      return () => {}
    }
    const timer = setTimeout(() => {
      if (this.#settle(id)) {
        this.#cancelled(id, `Request timed out after ${timeoutMs} ms`)
        done(new McpError(ErrorCode.RequestTimeout, "Request timed out", { timeout: timeoutMs }))
      }
    }, timeoutMs)
    this.#pending.set(id, { done, timer })
    try {
      this.#write({ jsonrpc: "2.0", id, method, params })
    } catch (error) {
      if (this.#settle(id)) done(error instanceof Error ? error : new Error(String(error)))
    }
    return (reason) => {
      if (!this.#settle(id)) return
      this.#cancelled(id, reason)
      done(new Error(`cancelled: ${reason}`))
    }
  }

  /** A response to one of this channel's requests (see `owns`). */
  receive(message: Response): void {
    const pending = this.#pending.get(message.id)
    if (pending === undefined) return // answered after a timeout or cancel
    this.#settle(message.id)
    const error = message.error
    if (error === undefined) {
      pending.done(undefined, message.result)
      return
    }
    const code = typeof error.code === "number" ? error.code : ErrorCode.InternalError
    pending.done(
      new McpError(code, typeof error.message === "string" ? error.message : "unknown error", error.data)
    )
  }

  /** The connection closed: every request in flight fails with `ConnectionClosed`. */
  close(): void {
    this.#closed = true
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) {
      clearTimeout(p.timer)
      p.done(new McpError(ErrorCode.ConnectionClosed, "Connection closed"))
    }
  }

  get inFlight(): number {
    return this.#pending.size
  }

  // Forgets a request; false if it was already settled.
  #settle(id: string): boolean {
    const pending = this.#pending.get(id)
    if (pending === undefined) return false
    clearTimeout(pending.timer)
    this.#pending.delete(id)
    return true
  }

  #cancelled(id: string, reason: string): void {
    try {
      this.#write({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } })
    } catch {
      // the pipe is gone: nothing to cancel
    }
  }
}
