/**
 * The connection supervisor of one server: connects lazily (one connection at a time),
 * restarts a dead connection on an Effect `Schedule` (exponential backoff, at most
 * `maxRestarts` restarts in a row, then fail fast for a cool-down), kills a server that stops
 * answering after a timed-out call, and stops its process when closed. Internal to the package.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js"
import { Clock, Duration, Effect, Pull, Schedule, Semaphore } from "effect"
import type { Connection } from "./Connection.ts"
import { ConnectError, ServerUnavailable } from "./Errors.ts"
import { type Exit, exitFields } from "./Exit.ts"
import { describeFailure, OpenFailure } from "./Failure.ts"
import type { ServerConfig } from "./McpConfig.ts"
import { load } from "./Sdk.ts"
import { type RequestTelemetry, requestTelemetry, tracedRequest } from "./Telemetry.ts"

export interface ServerStatus {
  readonly name: string
  readonly transport: ServerConfig["type"]
  readonly connected: boolean
  readonly pid?: number
  /** Consecutive failures since the last successful call. */
  readonly failures: number
  readonly lastError?: string
  /** Exit code of the last process that ended by itself. */
  readonly exitCode?: number
  /** Signal that ended the last process, when one did. */
  readonly signal?: string
  readonly stderr: string
}

export interface SupervisorOptions {
  readonly clientInfo: { readonly name: string; readonly version: string }
  readonly connectTimeoutMs: number
  readonly maxResultBytes: number
  readonly maxRestarts: number
  readonly restartBackoffMs: number
  readonly restartCooldownMs: number
  readonly pingTimeoutMs: number
  /** Runs a background effect for as long as the hub lives. */
  readonly runFork: (effect: Effect.Effect<unknown>) => unknown
  /** The server said its tool list changed on this (live) connection. */
  readonly onToolsChanged: (conn: Connection) => void
  /** Declared at `initialize`, with `setup` installing the handlers (see Passthrough). */
  readonly capabilities?: ClientCapabilities
  readonly setup?: (client: Client, conn: Connection) => void
  /** Runs on each new connection (a start or a restart) before any request uses it. */
  readonly onConnected?: (conn: Connection) => Effect.Effect<void>
}

/**
 * Delays between restarts: `backoff`, doubling per consecutive failure, at most 32× `backoff`;
 * done after `maxRestarts` restarts.
 */
export const restartSchedule = (
  backoffMs: number,
  maxRestarts: number
): Schedule.Schedule<Duration.Duration> =>
  Schedule.min([
    Schedule.exponential(Duration.millis(backoffMs)),
    Schedule.spaced(Duration.millis(backoffMs * 32))
  ]).pipe(Schedule.upTo({ times: maxRestarts }))

type Step = (
  now: number,
  input: unknown
) => Pull.Pull<[Duration.Duration, Duration.Duration], never, Duration.Duration>

export class Supervisor {
  readonly name: string
  readonly config: ServerConfig
  readonly options: SupervisorOptions
  conn: Connection | undefined = undefined
  failures = 0
  lastFailureAt = 0
  lastError: string | undefined = undefined
  /** How the last process of this server ended (stdio), when one did. */
  lastExit: Exit | undefined = undefined
  readonly #connectLock = Semaphore.makeUnsafe(1)
  readonly #initTelemetry: RequestTelemetry
  readonly #schedule: Schedule.Schedule<Duration.Duration>
  // The restart schedule's step since the last success; "exhausted" once it said no more.
  #step: Step | "exhausted" | undefined = undefined
  #checkingHealth = false
  #closed = false

  constructor(name: string, config: ServerConfig, options: SupervisorOptions) {
    this.name = name
    this.config = config
    this.options = options
    this.#initTelemetry = requestTelemetry("initialize", name, config.type)
    this.#schedule = restartSchedule(options.restartBackoffMs, options.maxRestarts)
  }

  /** The live connection, connecting (or restarting) first when there is none. */
  connection(): Effect.Effect<Connection, ConnectError | ServerUnavailable> {
    const live = this.conn
    if (live?.alive) return Effect.succeed(live)
    return this.#connectLock.withPermit(
      Effect.suspend(() => (this.conn?.alive ? Effect.succeed(this.conn) : this.#reconnect()))
    )
  }

  /** A request succeeded: the failure count and the restart schedule start over. */
  succeeded(): void {
    this.failures = 0
    this.#step = undefined
  }

  /**
   * After a timeout, make sure the server still answers; one that does not is killed so the
   * next call starts a fresh one instead of queueing behind a dead pipe.
   */
  checkHealth(conn: Connection): void {
    if (this.#checkingHealth || !conn.alive) return
    this.#checkingHealth = true
    const pingTimeoutMs = this.options.pingTimeoutMs
    this.options.runFork(
      Effect.tryPromise((signal) => conn.client.ping({ signal, timeout: pingTimeoutMs })).pipe(
        Effect.timeout(pingTimeoutMs),
        Effect.catch(() => Effect.promise(() => conn.close({ kind: "unresponsive" }))),
        Effect.ensuring(
          Effect.sync(() => {
            this.#checkingHealth = false
          })
        )
      )
    )
  }

  status(): ServerStatus {
    const conn = this.conn
    const pid = conn?.alive ? conn.pid : undefined
    return {
      name: this.name,
      transport: this.config.type,
      connected: conn?.alive ?? false,
      ...(pid === undefined ? {} : { pid }),
      failures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...exitFields(conn?.exit ?? this.lastExit),
      stderr: conn?.stderr ?? ""
    }
  }

  /** Stops the server for good; later connects fail. */
  close(): Promise<void> {
    this.#closed = true
    return this.conn?.close({ kind: "closed" }) ?? Promise.resolve()
  }

  #noteFailure(message: string): Effect.Effect<void> {
    return Effect.map(Clock.currentTimeMillis, (now) => {
      this.failures++
      this.lastFailureAt = now
      this.lastError = message
    })
  }

  // Waits out the restart schedule's next delay; fails fast once it is exhausted and the
  // cool-down since the last failure has not passed (after it, one more try goes through).
  #awaitRestart(stderr: string): Effect.Effect<void, ServerUnavailable> {
    return Effect.gen({ self: this }, function* () {
      if (this.#step === undefined) this.#step = yield* Schedule.toStep(this.#schedule)
      if (this.#step !== "exhausted") {
        const now = yield* Clock.currentTimeMillis
        const delay = yield* Pull.catchDone(this.#step(now, undefined), () => Effect.succeed(undefined))
        if (delay !== undefined) return yield* Effect.sleep(delay[1])
        this.#step = "exhausted"
      }
      const now = yield* Clock.currentTimeMillis
      if (now - this.lastFailureAt < this.options.restartCooldownMs) {
        return yield* new ServerUnavailable({
          server: this.name,
          failures: this.failures,
          lastError: this.lastError ?? "unknown",
          stderr
        })
      }
    })
  }

  #shutDownError(stderr: string): ConnectError {
    return new ConnectError({ server: this.name, detail: "the hub is shut down", stderr })
  }

  #reconnect(): Effect.Effect<Connection, ConnectError | ServerUnavailable> {
    return Effect.gen({ self: this }, function* () {
      const dead = this.conn
      if (dead !== undefined) {
        this.conn = undefined
        if (dead.failure?.kind !== "closed") {
          this.lastExit = dead.exit
          yield* this.#noteFailure(describeFailure(dead.failure ?? { kind: "exited" }, dead.exit))
        }
        void dead.close({ kind: "closed" })
      }
      if (this.failures > 0) yield* this.#awaitRestart(dead?.stderr ?? "")
      if (this.#closed) return yield* this.#shutDownError("")
      const conn = yield* this.#open()
      if (this.#closed) {
        yield* Effect.promise(() => conn.close({ kind: "closed" }))
        return yield* this.#shutDownError(conn.stderr)
      }
      if (this.options.onConnected !== undefined) yield* this.options.onConnected(conn)
      this.conn = conn
      return conn
    })
  }

  // Starts the server and runs `initialize`, inside its span.
  #open(): Effect.Effect<Connection, ConnectError> {
    const options = this.options
    return Effect.tryPromise({
      // The SDK is loaded with the first connection (see Sdk.ts).
      try: async (signal) =>
        (await load()).open(
          {
            name: this.name,
            config: this.config,
            clientInfo: options.clientInfo,
            maxMessageBytes: options.maxResultBytes + 64 * 1024,
            connectTimeoutMs: options.connectTimeoutMs,
            onToolsChanged: (conn) => options.onToolsChanged(conn),
            ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
            ...(options.setup === undefined ? {} : { setup: options.setup })
          },
          signal
        ),
      catch: (cause) => cause
    }).pipe(
      Effect.catch((cause) =>
        Effect.gen({ self: this }, function* () {
          const detail = cause instanceof Error ? cause.message : String(cause)
          yield* this.#noteFailure(detail)
          if (!(cause instanceof OpenFailure)) {
            return yield* new ConnectError({ server: this.name, detail, stderr: "" })
          }
          this.lastExit = cause.exit
          return yield* new ConnectError({
            server: this.name,
            detail,
            stderr: cause.stderr,
            ...exitFields(cause.exit),
            ...(cause.spawnError === undefined ? {} : { spawnError: cause.spawnError })
          })
        })
      ),
      tracedRequest(this.#initTelemetry)
    )
  }
}
