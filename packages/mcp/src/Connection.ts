/**
 * One live client session with one server (a child process over stdio, or an HTTP session),
 * wrapping the SDK `Client` with what the hub needs to tell faults apart: why it died, the
 * tail of its stderr, its pid. Internal to the package.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import {
  type CallToolRequest,
  type CallToolResultSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema
} from "@modelcontextprotocol/sdk/types.js"
import type { Done } from "./Channel.ts"
import type { ServerConfig } from "./McpConfig.ts"
import { describeExit, type Exit, MessageTooLarge, StdioTransport } from "./Transport.ts"

/** Why a connection is no longer usable. */
export type Failure =
  | { readonly kind: "exited" }
  | { readonly kind: "garbage"; readonly detail: string }
  | { readonly kind: "overflow"; readonly limit: number }
  | { readonly kind: "unresponsive" }
  | { readonly kind: "unreachable"; readonly detail: string }
  | { readonly kind: "closed" }

/** Why a connection died, in words; `exit` (when known) says how its process ended. */
export const describeFailure = (failure: Failure, exit?: Exit): string => {
  switch (failure.kind) {
    case "exited":
      return exit === undefined ? "exited" : describeExit(exit)
    case "garbage":
      return `wrote output that is not JSON-RPC to stdout (${failure.detail})`
    case "overflow":
      return `sent a message larger than the ${failure.limit}-byte limit`
    case "unresponsive":
      return "stopped responding (no answer to ping after a timed-out call)"
    case "unreachable":
      return `could not be reached (${failure.detail})`
    case "closed":
      return "was shut down"
  }
}

const STDERR_TAIL = 4096

/**
 * A result "schema" for the SDK's `Protocol.request` that takes the result as it is: the
 * Protocol accepts any object with a zod-3 style `safeParse`, and `Calls` checks the result
 * in place once (`ToolResult.resultProblem`) instead of `CallToolResultSchema` copying it.
 */
const Unchecked = {
  safeParse: (data: unknown) => ({ success: true, data })
} as unknown as typeof CallToolResultSchema

export interface OpenOptions {
  readonly name: string
  readonly config: ServerConfig
  readonly clientInfo: { readonly name: string; readonly version: string }
  /** Largest single message accepted from a stdio server. */
  readonly maxMessageBytes: number
  readonly connectTimeoutMs: number
  readonly onToolsChanged: (conn: Connection) => void
}

export class Connection {
  readonly name: string
  readonly client: Client
  readonly transport: Transport
  readonly kind: ServerConfig["type"]
  failure: Failure | undefined = undefined
  #stderr = ""
  #closing: Promise<void> | undefined = undefined

  constructor(name: string, client: Client, transport: Transport, kind: ServerConfig["type"]) {
    this.name = name
    this.client = client
    this.transport = transport
    this.kind = kind
  }

  get alive(): boolean {
    return this.failure === undefined
  }

  get pid(): number | undefined {
    return this.transport instanceof StdioTransport ? this.transport.pid : undefined
  }

  /** How a stdio server's process ended, once it has. */
  get exit(): Exit | undefined {
    return this.transport instanceof StdioTransport ? this.transport.exit : undefined
  }

  get stderr(): string {
    return this.#stderr
  }

  appendStderr(chunk: string): void {
    const next = this.#stderr + chunk
    this.#stderr = next.length > STDERR_TAIL ? next.slice(next.length - STDERR_TAIL) : next
  }

  /**
   * Sends tools/call; `done` gets the raw result (unchecked: the caller checks it once) or the
   * error. Returns a cancel that also tells the server. Over stdio the transport's Channel
   * carries it; over HTTP the SDK's Protocol, with an AbortController for the cancel.
   */
  callTool(params: Record<string, unknown>, timeoutMs: number, done: Done): (reason: string) => void {
    const transport = this.transport
    if (transport instanceof StdioTransport)
      return transport.channel.request("tools/call", params, timeoutMs, done)
    const controller = new AbortController()
    this.client
      .request({ method: "tools/call", params: params as CallToolRequest["params"] }, Unchecked, {
        signal: controller.signal,
        timeout: timeoutMs
      })
      .then(
        (result) => done(undefined, result),
        (error) => done(error instanceof Error ? error : new Error(String(error)))
      )
    return (reason) => controller.abort(reason)
  }

  /** Marks the connection dead (first reason wins) and stops the process or session. */
  close(failure: Failure): Promise<void> {
    this.failure ??= failure
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    const pid = this.pid
    // A server that stopped answering will not honour a polite close: do not wait for it.
    if (this.failure?.kind === "unresponsive" && pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    if (this.transport instanceof StreamableHTTPClientTransport && this.failure?.kind === "closed") {
      await Promise.race([
        this.transport.terminateSession().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000).unref())
      ])
    }
    await this.client.close().catch(() => undefined)
  }
}

const makeTransport = (options: OpenOptions): Transport => {
  const config = options.config
  if (config.type === "stdio") {
    return new StdioTransport({
      command: config.command,
      args: config.args,
      env: config.env,
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      maxMessageBytes: options.maxMessageBytes
    })
  }
  const requestInit: RequestInit = { headers: { ...config.headers } }
  return config.type === "http"
    ? new StreamableHTTPClientTransport(new URL(config.url), { requestInit })
    : new SSEClientTransport(new URL(config.url), {
        requestInit,
        // The SSE GET goes through eventsource, which needs the headers passed again.
        eventSourceInit: {
          fetch: (url, init) =>
            fetch(url, { ...init, headers: { ...(init?.headers ?? {}), ...config.headers } })
        }
      })
}

/** Starting failed; carries what the process said on stderr before it went, and how it ended. */
export class OpenFailure extends Error {
  readonly stderr: string
  readonly exit: Exit | undefined
  /** The spawn error's code (`ENOENT`, `EACCES`) when the command could not be run. */
  readonly spawnError: string | undefined
  constructor(message: string, stderr: string, exit?: Exit, spawnError?: string) {
    super(message)
    this.stderr = stderr
    this.exit = exit
    this.spawnError = spawnError
  }
}

// The reason a start failed: the spawn error, how the process ended before answering
// `initialize`, or (HTTP, timeouts) the error itself.
const openFailure = (
  options: OpenOptions,
  transport: Transport,
  error: unknown,
  stderr: string
): OpenFailure => {
  const text = error instanceof Error ? error.message : String(error)
  if (transport instanceof StdioTransport) {
    const spawned = transport.spawnError
    if (spawned !== undefined) {
      const code = spawned.code ?? "error"
      const command = options.config.type === "stdio" ? options.config.command : ""
      return new OpenFailure(`cannot run "${command}" (${code}: ${spawned.message})`, stderr, undefined, code)
    }
    const exit = transport.exit
    const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed
    if (exit !== undefined && closed) {
      return new OpenFailure(`${describeExit(exit)} before answering initialize`, stderr, exit)
    }
    return new OpenFailure(text, stderr)
  }
  const status = (error as { readonly code?: unknown } | undefined)?.code
  return new OpenFailure(typeof status === "number" ? `HTTP ${status}: ${text}` : text, stderr)
}

const isParseError = (error: Error): boolean => error instanceof SyntaxError || error.name === "ZodError"

/** Starts the server (or opens the session) and runs `initialize`. Closes everything on failure or abort. */
export const open = async (options: OpenOptions, signal: AbortSignal): Promise<Connection> => {
  const transport = makeTransport(options)
  const client = new Client(
    { name: options.clientInfo.name, version: options.clientInfo.version },
    { capabilities: {} }
  )
  const conn = new Connection(options.name, client, transport, options.config.type)

  if (transport instanceof StdioTransport) {
    transport.stderr.on("data", (chunk: Buffer) => conn.appendStderr(chunk.toString("utf8")))
  }
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    if (conn.alive) options.onToolsChanged(conn)
  })
  client.onclose = () => {
    conn.failure ??= { kind: "exited" }
  }
  client.onerror = (error) => {
    if (!(transport instanceof StdioTransport)) return
    if (error instanceof MessageTooLarge) {
      // The transport has already dropped the buffer and is closing itself.
      void conn.close({ kind: "overflow", limit: options.maxMessageBytes })
    } else if (isParseError(error)) {
      // The spec forbids non-JSON-RPC output on stdout; the stream cannot be trusted after it.
      void conn.close({ kind: "garbage", detail: error.message.slice(0, 200) })
    }
  }

  const onAbort = () => void conn.close({ kind: "closed" })
  signal.addEventListener("abort", onAbort, { once: true })
  try {
    await client.connect(transport, { signal, timeout: options.connectTimeoutMs })
    return conn
  } catch (error) {
    await conn.close({ kind: "closed" })
    // Let the last stderr lines of a process that died at startup arrive before quoting them.
    await new Promise((resolve) => setImmediate(resolve))
    throw signal.aborted
      ? new OpenFailure("start was interrupted", conn.stderr)
      : openFailure(options, transport, error, conn.stderr)
  } finally {
    signal.removeEventListener("abort", onAbort)
  }
}
