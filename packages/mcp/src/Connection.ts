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
  type ClientCapabilities,
  ErrorCode,
  McpError,
  type Progress,
  ToolListChangedNotificationSchema
} from "@modelcontextprotocol/sdk/types.js"
import type { Done } from "./Channel.ts"
import { describeExit, type Exit, MessageTooLarge } from "./Exit.ts"
import { type Failure, OpenFailure } from "./Failure.ts"
import type { ServerConfig } from "./McpConfig.ts"
import { StdioTransport } from "./Transport.ts"

export { describeFailure, type Failure, OpenFailure } from "./Failure.ts"

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
  /** What the client declares at `initialize` (sampling, elicitation, roots...). Default none. */
  readonly capabilities?: ClientCapabilities
  /** Installs further notification and request handlers on the client before it connects. */
  readonly setup?: (client: Client, conn: Connection) => void
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
   * carries it; over HTTP (or with `onProgress`) the SDK's Protocol, with an AbortController
   * for the cancel.
   */
  callTool(
    params: Record<string, unknown>,
    timeoutMs: number,
    done: Done,
    onProgress?: (progress: Progress) => void
  ): (reason: string) => void {
    const transport = this.transport
    if (transport instanceof StdioTransport && onProgress === undefined) {
      return transport.channel.request("tools/call", params, timeoutMs, done)
    }
    // With progress: the Protocol pairs progress notifications with the request, and each one
    // restarts the timeout (a long operation that keeps reporting is not cut off).
    const controller = new AbortController()
    this.client
      .request({ method: "tools/call", params: params as CallToolRequest["params"] }, Unchecked, {
        signal: controller.signal,
        timeout: timeoutMs,
        ...(onProgress === undefined ? {} : { onprogress: onProgress, resetTimeoutOnProgress: true })
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
    { capabilities: options.capabilities ?? {} }
  )
  const conn = new Connection(options.name, client, transport, options.config.type)
  options.setup?.(client, conn)

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
