/**
 * A stdio client transport for the MCP SDK `Client`: spawns the server, frames newline-delimited
 * JSON-RPC on its stdout, writes to its stdin. It replaces the SDK's `StdioClientTransport`
 * (same `Transport` interface, environment, stderr handling and shutdown: end stdin, then
 * SIGTERM, then SIGKILL), because that one buffers a message with `Buffer.concat` on every
 * chunk and searches the whole buffer for a newline each time, which is quadratic in the size
 * of a message (a 20 MB result took seconds). Here the chunks of a partial line are kept in a
 * list, only the new chunk is searched, and a line is joined once. It also remembers how the
 * process ended (exit code, signal, spawn error), so failures can say so.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { PassThrough } from "node:stream"
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js"
import { Channel } from "./Channel.ts"

export interface StdioOptions {
  readonly command: string
  readonly args?: ReadonlyArray<string>
  /** Added to the SDK's default environment (HOME, PATH, SHELL, TERM, USER, LOGNAME). */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Largest single message accepted; a longer line closes the transport. Default 10 MiB. */
  readonly maxMessageBytes?: number
}

/** How the server process ended. */
export interface Exit {
  /** Exit code, when it exited by itself. */
  readonly code: number | null
  /** Signal that ended it, when one did. */
  readonly signal: NodeJS.Signals | null
}

/** "exited with code 3", "was killed by SIGKILL". */
export const describeExit = (exit: Exit): string =>
  exit.signal !== null
    ? `was killed by ${exit.signal}`
    : exit.code !== null
      ? `exited with code ${exit.code}`
      : "exited"

/** `exitCode` / `signal` fields of an error or status, from how a process ended. */
export const exitFields = (exit: Exit | undefined): { exitCode?: number; signal?: string } => ({
  ...(exit?.code == null ? {} : { exitCode: exit.code }),
  ...(exit?.signal == null ? {} : { signal: exit.signal })
})

/** A message (a line on stdout) longer than the limit. */
export class MessageTooLarge extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`a message exceeded the maximum size of ${limit} bytes`)
    this.name = "MessageTooLarge"
    this.limit = limit
  }
}

const NEWLINE = 0x0a
const CR = 0x0d
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
  // The chunks of the line being received, and their total size.
  #pending: Array<Buffer> = []
  #pendingBytes = 0
  #drained: Promise<void> | undefined = undefined

  constructor(options: StdioOptions) {
    this.options = options
    this.#maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024
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
      child.stdout?.on("data", (chunk: Buffer) => this.#receive(chunk))
      child.stdout?.on("error", (error) => this.onerror?.(error))
      child.stderr?.pipe(this.stderr)
    })
  }

  // One message now, without waiting for the pipe to drain (Node buffers it).
  #write(message: JSONRPCMessage): void {
    const stdin = this.#process?.stdin
    if (stdin == null) throw new Error("Not connected")
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
    this.#pending = []
    this.#pendingBytes = 0
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

  // Splits stdout into lines: only the new chunk is searched; a line split over chunks is
  // joined once, when its newline arrives.
  #receive(chunk: Buffer): void {
    let start = 0
    let newline = chunk.indexOf(NEWLINE)
    while (newline !== -1) {
      let line = chunk.subarray(start, newline)
      if (this.#pendingBytes + line.length > this.#maxBytes) {
        this.#overflow()
        return
      }
      if (this.#pending.length > 0) {
        this.#pending.push(line)
        line = Buffer.concat(this.#pending, this.#pendingBytes + line.length)
        this.#pending = []
        this.#pendingBytes = 0
      }
      this.#deliver(line)
      if (this.#process === undefined) return
      start = newline + 1
      newline = chunk.indexOf(NEWLINE, start)
    }
    if (start === chunk.length) return
    const rest = start === 0 ? chunk : chunk.subarray(start)
    if (this.#pendingBytes + rest.length > this.#maxBytes) {
      this.#overflow()
      return
    }
    this.#pending.push(rest)
    this.#pendingBytes += rest.length
  }

  // The stream cannot be resynchronised cheaply: drop what was buffered and stop the server.
  #overflow(): void {
    this.#pending = []
    this.#pendingBytes = 0
    this.onerror?.(new MessageTooLarge(this.#maxBytes))
    void this.close().catch(() => undefined)
  }

  #deliver(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length
    if (end === 0) return
    let parsed: unknown
    try {
      parsed = JSON.parse(line.toString("utf8", 0, end))
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
    this.onmessage?.(message)
  }
}
