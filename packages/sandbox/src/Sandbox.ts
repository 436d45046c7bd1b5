import { Clock, Context, Deferred, Effect, Layer, type Scope } from "effect"
import * as E2b from "./E2b.ts"
import { InvalidRequest, type SandboxError, type SandboxUnavailable } from "./Errors.ts"
import * as Isolate from "./Isolate.ts"
import { exceeded, type Limits, type ResolvedLimits, resolve } from "./Limits.ts"
import { type Program, prepare } from "./Program.ts"
import * as QuickJs from "./QuickJs.ts"
import * as Session from "./Session.ts"

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
}

export type LogLevel = "log" | "info" | "warn" | "error" | "debug"

export interface LogEntry {
  readonly level: LogLevel
  readonly message: string
}

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

/** One way of running code: sets up a fresh sandbox for `program` and reports through `session`. */
export interface Backend {
  readonly name: string
  readonly run: (program: Program, session: Session.Session) => Effect.Effect<void, SandboxError, Scope.Scope>
}

const identifier = /^[A-Za-z_$][\w$]*$/

/** Builds the service around a backend: type stripping, limits, host calls, output and the span. */
export const make = (backend: Backend, base?: Limits): Sandbox["Service"] => {
  const baseLimits: ResolvedLimits = resolve(base)
  const execute = Effect.fn("sandbox.execute")(function* (
    request: ExecuteRequest
  ): Effect.fn.Return<ExecutionResult, SandboxError> {
    const start = yield* Clock.currentTimeNanos
    const limits = resolve(request.limits, baseLimits)
    const host = request.host ?? {}
    yield* Effect.annotateCurrentSpan({ "sandbox.backend": backend.name })
    for (const name of Object.keys(host)) {
      if (!identifier.test(name)) {
        return yield* new InvalidRequest({
          field: `host.${name}`,
          message: `host function name "${name}" is not a JavaScript identifier`
        })
      }
    }
    const program = yield* prepare(request.code, request.files)
    const result = yield* Effect.scoped(
      Effect.gen(function* () {
        const session = yield* Session.make(host, limits)
        yield* backend.run(program, session)
        const json = yield* Deferred.await(session.outcome)
        const valueBytes = json === undefined ? 0 : Buffer.byteLength(json)
        if (valueBytes > limits.outputBytes) return yield* exceeded("outputBytes", limits)
        session.fitOutput(valueBytes)
        return {
          value: json === undefined ? undefined : JSON.parse(json),
          logs: session.logs,
          hostCalls: session.hostCalls,
          truncated: session.truncated()
        }
      })
    ).pipe(
      Effect.timeoutOrElse({
        duration: limits.wallTimeMs,
        orElse: () => Effect.fail(exceeded("wallTime", limits))
      })
    )
    const end = yield* Clock.currentTimeNanos
    yield* Effect.annotateCurrentSpan({ "sandbox.host_calls": result.hostCalls.length })
    return { ...result, durationMs: Number(end - start) / 1e6 }
  })
  return Sandbox.of({ backend: backend.name, execute })
}

// Takes the tag as an argument: the class's static fields run before the outer binding exists.
const layerOf = <E, R>(tag: typeof Sandbox, backend: Effect.Effect<Backend, E, R>, base?: Limits) =>
  Layer.effect(
    tag,
    Effect.map(backend, (b) => make(b, base))
  )

/**
 * Runs agent code. Three layers: `isolate` (V8 isolates via isolated-vm, the default),
 * `quickjs` (QuickJS compiled to WebAssembly, for where no native addon loads) and `e2b`
 * (a runner process in an E2B cloud sandbox).
 */
export class Sandbox extends Context.Service<
  Sandbox,
  {
    readonly backend: string
    readonly execute: (request: ExecuteRequest) => Effect.Effect<ExecutionResult, SandboxError>
  }
>()("@tta/sandbox/Sandbox") {
  /** V8 isolates (isolated-vm): a fresh isolate per execution. Needs Node ≥ 24 run with `--no-node-snapshot`. */
  static readonly isolate: Layer.Layer<Sandbox, SandboxUnavailable> = layerOf(Sandbox, Isolate.backend())
  /** QuickJS in WebAssembly: a fresh runtime per execution; no native code needed. */
  static readonly quickjs: Layer.Layer<Sandbox, SandboxUnavailable> = layerOf(Sandbox, QuickJs.backend())
  /** A runner process per execution inside one E2B cloud sandbox (created on first use, killed with the layer). */
  static readonly e2b = (options: E2b.Options = {}): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerOf(Sandbox, E2b.backend(options), options.limits)
  /** With default limits of your own (a request's `limits` still override them). */
  static readonly layerIsolate = (limits: Limits): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerOf(Sandbox, Isolate.backend(), limits)
  static readonly layerQuickJs = (limits: Limits): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerOf(Sandbox, QuickJs.backend(), limits)
  /** The default: {@link Sandbox.isolate}. */
  static readonly layer = Sandbox.isolate
}

/** Runs `request` with whichever `Sandbox` layer is provided. */
export const execute = (request: ExecuteRequest): Effect.Effect<ExecutionResult, SandboxError, Sandbox> =>
  Effect.gen(function* () {
    const sandbox = yield* Sandbox
    return yield* sandbox.execute(request)
  })
