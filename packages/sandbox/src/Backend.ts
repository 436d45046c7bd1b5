/**
 * The contract between the Sandbox service and the backends that run code, and the registry the
 * backends put themselves in. A backend imports this module (and the shared Session, Program,
 * Limits, Errors); nothing here imports a backend.
 */
import type { Deferred, Effect, Schema, Scope } from "effect"
import type * as Errors from "./Errors.ts"
import type { SandboxError, SandboxUnavailable } from "./Errors.ts"
import type { Limits, ResolvedLimits } from "./Limits.ts"
import type { Program } from "./Program.ts"

/**
 * Functions the code may call as `await host.<name>(...args)`. Arguments arrive as JSON copies;
 * the result goes back as a JSON copy; a failure becomes an Error thrown in the code with the same
 * `message` (and `name`/`_tag`). Each call runs as a child fiber of the execution, in a
 * `sandbox.host_call` span under `sandbox.execute`.
 */
export type HostFunctions = Readonly<
  Record<string, (...args: ReadonlyArray<any>) => Effect.Effect<unknown, unknown>>
>

export interface ExecuteRequest {
  /** TypeScript (types are stripped). ES module: top-level `await`, `import` from `files`, `export default <value>`. */
  readonly code: string
  /** Mounted read-only at the sandbox root: `{ "servers/fs/index.ts": "..." }` is `./servers/fs/index.ts`. */
  readonly files?: Readonly<Record<string, string>> | undefined
  readonly host?: HostFunctions | undefined
  readonly limits?: Limits | undefined
  /**
   * Called with each console entry as the code writes it (the same entry `logs` keeps; an entry cut
   * by the output limit arrives cut, output past the limit not at all), so a caller can stream the
   * output while the code runs. Called on the host's side of the sandbox; it must not throw, and
   * should only hand the entry on (it runs inside the sandbox's call).
   */
  readonly onLog?: ((entry: LogEntry) => void) | undefined
}

export type LogLevel = typeof Errors.LogLevel.Type

export type LogEntry = typeof Errors.LogEntry.Type

export interface HostCall {
  readonly name: string
  readonly args: ReadonlyArray<unknown>
  /** Milliseconds from the start of the execution. */
  readonly startedMs: number
  readonly durationMs: number
  readonly ok: boolean
  readonly error?: string
}

export interface ExecutionResult {
  /** The JSON value of `export default` (undefined when the code exports nothing). */
  readonly value: unknown
  readonly logs: ReadonlyArray<LogEntry>
  readonly hostCalls: ReadonlyArray<HostCall>
  readonly durationMs: number
  /** Console output was cut to stay within the output limit. */
  readonly truncated: boolean
}

/** What a backend lets the host do to the code it runs (calls into the sandbox). */
export interface Engine {
  /** Each returns once the sandbox has run that turn (a promise, for engines on another thread); never rejects. */
  settle(id: number, ok: boolean, payload: string | undefined): Promise<void> | void
  fire(id: number): Promise<void> | void
  /** False when the sandbox itself notices code that waits on nothing (the E2B runner does). */
  readonly tracksIdle?: boolean
}

/**
 * The host side of one execution, shared by all backends: host calls (as child fibers of the
 * execution), console output with its byte budget, timers, and the outcome. Closing its scope
 * interrupts every host call and timer still running, so nothing outlives the execution.
 */
export interface Session {
  readonly limits: ResolvedLimits
  readonly hostNames: ReadonlyArray<string>
  /** Completed once: with the result's JSON (undefined when nothing was exported), or an error. */
  readonly outcome: Deferred.Deferred<string | undefined, SandboxError>
  attach(engine: Engine): void
  /** One message from the sandbox (see `Outbound` in Prelude.ts). */
  receive(kind: string, a?: unknown, b?: unknown, c?: unknown): void
  fail(error: SandboxError): void
  /** Work the engine does for the code outside host calls (loading an `import()`): the code is not idle meanwhile. */
  track(work: Promise<unknown>): void
  /** Call after each turn of the sandbox: code that waits on nothing that can ever happen is stuck. */
  checkIdle(): void
  readonly done: () => boolean
  readonly logs: Array<LogEntry>
  readonly hostCalls: Array<HostCall>
  readonly truncated: () => boolean
  /** Drops console output from the end until it fits beside a value of `valueBytes`. */
  fitOutput(valueBytes: number): void
}

/** One way of running code: sets up a fresh sandbox for `program` and reports through `session`. */
export interface Backend {
  readonly name: string
  /**
   * Compiles the agent's code as written first when it may be plain JavaScript
   * (\`Program.mayBePlainJs\`), and strips its types only if that fails; the Sandbox then leaves
   * stripping it to the backend. Node's type stripper costs ~25 ms CPU on its first call in a
   * process: a one-shot run of plain JavaScript need not pay it.
   */
  readonly rawFirst?: boolean
  readonly run: (program: Program, session: Session) => Effect.Effect<void, SandboxError, Scope.Scope>
}

/**
 * How a backend is made from its options. `options` decodes what a config file may say about the
 * backend (plain JSON); `make` also accepts what only code can pass (a test's stand-in, say).
 * The scope is the layer's: whatever the backend keeps between executions is released with it.
 */
export interface Definition<Options> {
  readonly name: string
  readonly options: Schema.Decoder<Options>
  readonly make: (options: Options) => Effect.Effect<Backend, SandboxUnavailable, Scope.Scope>
}

const registry = new Map<string, Definition<any>>()

/** Called once by each backend's module. */
export const register = <Options>(definition: Definition<Options>): void => {
  registry.set(definition.name, definition)
}

export const lookup = (name: string): Definition<unknown> | undefined => registry.get(name)

/** The names of the registered backends, in registration order. */
export const names = (): ReadonlyArray<string> => [...registry.keys()]
