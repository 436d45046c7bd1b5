/**
 * A stdio client transport for the MCP SDK `Client`: spawns the server, frames newline-delimited
 * JSON-RPC on its stdout, writes to its stdin. It replaces the SDK's `StdioClientTransport`
 * (same `Transport` interface, environment, stderr handling and shutdown: end stdin, then
 * SIGTERM, then SIGKILL), because that one buffers a message with `Buffer.concat` on every
 * chunk and searches the whole buffer for a newline each time, which is quadratic in the size
 * of a message (a 20 MB result took seconds); here a LineReader frames it in linear time. It
 * also remembers how the process ended (exit code, signal, spawn error), so failures can say so.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { PassThrough } from "node:stream"
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js"
import { Channel } from "./Channel.ts"
import { type Exit, MessageTooLarge } from "./Exit.ts"
import { LineReader } from "./LineReader.ts"

export interface StdioOptions {
  readonly command: string
  readonly args?: ReadonlyArray<string>
  /** Added to the SDK's default environment (HOME, PATH, SHELL, TERM, USER, LOGNAME). */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Largest single message accepted (a longer answer fails its request, or closes the transport). Default 10 MiB. */
  readonly maxMessageBytes?: number
}

export { describeExit, type Exit, exitFields, MessageTooLarge } from "./Exit.ts"

const GRACE_MS = 2000

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

export class StdioTransport implements Transport {
  onclose?: (() => void) | undefined
  onerror?: ((error: Error) => void) | undefined
  onmessage?: ((message: JSONRPCMessage) => void) | undefined

  readonly options: StdioOptions
  /** The server's stderr, available before `start` so nothing it says early is lost. */
  readonly stderr = new PassThrough()
  /** The tools/call fast path beside the SDK's Protocol (see Channel). */
  readonly channel = new Channel((message) => this.#write(message))
  #process: ChildProcess | undefined = undefined
  #started = false
  #pid: number | undefined = undefined
  #exit: Exit | undefined = undefined
  #spawnError: NodeJS.ErrnoException | undefined = undefined
  readonly #maxBytes: number
  readonly #lines: LineReader
  #drained: Promise<void> | undefined = undefined
  #corked = false

  constructor(options: StdioOptions) {
    this.options = options
    this.#maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024
    this.#lines = new LineReader(this.#maxBytes, {
      line: (text) => this.#deliver(text),
      oversized: (id) => this.#oversized(id),
      stopped: () => this.#process === undefined
    })
  }

  get pid(): number | undefined {
    return this.#pid
  }

  /** How the process ended, once it has. */
  get exit(): Exit | undefined {
    return this.#exit
  }

  /** Why the process could not be started (e.g. `ENOENT`), if it could not. */
  get spawnError(): NodeJS.ErrnoException | undefined {
    return this.#spawnError
  }

  start(): Promise<void> {
    if (this.#started) throw new Error("StdioTransport already started")
    this.#started = true
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.command, [...(this.options.args ?? [])], {
        env: { ...getDefaultEnvironment(), ...this.options.env },
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
        windowsHide: process.platform === "win32",
        ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd })
      })
      this.#process = child
      child.on("error", (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) this.#spawnError = error
        reject(error)
        this.onerror?.(error)
      })
      child.on("spawn", () => {
        this.#pid = child.pid
        resolve()
      })
      child.on("close", (code, signal) => {
        this.#exit = { code, signal }
        this.#process = undefined
        this.onclose?.()
        this.channel.close()
      })
      child.stdin?.on("error", (error) => this.onerror?.(error))
      child.stdout?.on("data", (chunk: Buffer) => this.#lines.push(chunk))
      child.stdout?.on("error", (error) => this.onerror?.(error))
      child.stderr?.pipe(this.stderr)
    })
  }

  // One message, without waiting for the pipe to drain (Node buffers it). Messages written in
  // the same tick (calls started together, or as a batch of answers frees their slots) leave
  // in one write: fewer system calls here and fewer reads for the server.
  #write(message: JSONRPCMessage): void {
    const stdin = this.#process?.stdin
    if (stdin == null) throw new Error("Not connected")
    if (!this.#corked) {
      this.#corked = true
      stdin.cork()
      process.nextTick(() => {
        this.#corked = false
        stdin.uncork()
      })
    }
    stdin.write(`${JSON.stringify(message)}\n`)
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#process?.stdin
    if (stdin == null) return Promise.reject(new Error("Not connected"))
    if (stdin.write(`${JSON.stringify(message)}\n`)) return Promise.resolve()
    // Back-pressure: wait for the pipe to drain, with one listener however many senders wait.
    this.#drained ??= new Promise((resolve) =>
      stdin.once("drain", () => {
        this.#drained = undefined
        resolve()
      })
    )
    return this.#drained
  }

  async close(): Promise<void> {
    const child = this.#process
    this.#process = undefined
    this.#lines.reset()
    if (child === undefined) return
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()))
    try {
      child.stdin?.end()
    } catch {
      // already closed
    }
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      await Promise.race([closed, wait(GRACE_MS)])
      if (child.exitCode !== null || child.signalCode !== null) return
      try {
        child.kill(signal)
      } catch {
        // already gone
      }
    }
  }

  // A line over the limit was skipped. An answer to one of the channel's requests fails that
  // request alone (the server is kept); anything else leaves the stream in doubt: close it.
  #oversized(id: string | undefined): void {
    const error = new MessageTooLarge(this.#maxBytes)
    if (id !== undefined && this.channel.fail(id, error)) return
    this.onerror?.(error)
    void this.close().catch(() => undefined)
  }

  #deliver(line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line
    if (text.length === 0) return
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      this.onerror?.(error as Error)
      return
    }
    // Responses to the channel's requests skip the Protocol (and its schema parse).
    if (typeof parsed === "object" && parsed !== null && Channel.owns(parsed)) {
      this.channel.receive(parsed)
      return
    }
    let message: JSONRPCMessage
    try {
      message = JSONRPCMessageSchema.parse(parsed)
    } catch (error) {
      this.onerror?.(error as Error)
      return
    }
    // The SDK's Protocol handles a notification one microtask late but a response at once, and
    // forgets a request's progress handler with its response: a last progress report that
    // arrived just before the response would be dropped. Responses wait one microtask too.
    if ("id" in message && !("method" in message)) queueMicrotask(() => this.onmessage?.(message))
    else this.onmessage?.(message)
  }
}
