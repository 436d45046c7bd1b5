import { Cause, Clock, Context, Deferred, Effect, Layer, Schema } from "effect"
import type { ExecuteRequest, ExecutionResult } from "./Backend.ts"
import * as Backend from "./Backend.ts"
import { InvalidRequest, type SandboxError, SandboxUnavailable, withLogs } from "./Errors.ts"
import { exceeded, type Limits, type ResolvedLimits, resolve } from "./Limits.ts"
import { prepare } from "./Program.ts"
import * as Session from "./Session.ts"
import * as Tracing from "./Tracing.ts"

const identifier = /^[A-Za-z_$][\w$]*$/

/** Builds the service around a backend: type stripping, limits, host calls, output and the span. */
export const make = (backend: Backend.Backend, base?: Limits): Sandbox["Service"] => {
  const baseLimits: ResolvedLimits = resolve(base)
  const run = Effect.fnUntraced(function* (
    request: ExecuteRequest,
    tracing: boolean
  ): Effect.fn.Return<ExecutionResult, SandboxError> {
    const start = yield* Clock.currentTimeNanos
    const limits = resolve(request.limits, baseLimits)
    const host = request.host ?? {}
    for (const name of Object.keys(host)) {
      if (!identifier.test(name)) {
        return yield* new InvalidRequest({
          field: `host.${name}`,
          message: `host function name "${name}" is not a JavaScript identifier`
        })
      }
    }
    const program = yield* prepare(request.code, request.files, { stripEntry: backend.rawFirst !== true })
    const result = yield* Effect.scoped(
      Effect.gen(function* () {
        const session = yield* Session.make(host, limits, request.onLog, tracing)
        return yield* Effect.gen(function* () {
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
        }).pipe(
          Effect.timeoutOrElse({
            duration: limits.wallTimeMs,
            orElse: () => Effect.fail(exceeded("wallTime", limits))
          }),
          // What the code printed before it failed goes with the error.
          Effect.mapError((e) => withLogs(e, session.logs))
        )
      })
    )
    const end = yield* Clock.currentTimeNanos
    if (tracing) yield* Effect.annotateCurrentSpan({ "sandbox.host_calls": result.hostCalls.length })
    return { ...result, durationMs: Number(end - start) / 1e6 }
  })
  // The span only when a tracer takes it (see Tracing.ts).
  const execute = (request: ExecuteRequest): Effect.Effect<ExecutionResult, SandboxError> =>
    Effect.withFiber((fiber) =>
      Tracing.isTracing(fiber)
        ? Effect.withSpan(run(request, true), "sandbox.execute", {
            attributes: { "sandbox.backend": backend.name },
            captureStackTrace: false
          })
        : run(request, false)
    )
  return Sandbox.of({ backend: backend.name, execute })
}

/**
 * What a config file says about the sandbox: a backend's name (`"quickjs"`), or an object naming
 * the backend with its options (`{ "backend": "e2b", "sandboxTimeoutMs": 600000 }`). Checked
 * against the registered backends and the chosen backend's own options schema.
 */
export type Choice = string | { readonly backend: string; readonly [option: string]: unknown }

const split = (choice: Choice): { readonly name: string; readonly options: unknown } => {
  if (typeof choice === "string") return { name: choice, options: {} }
  const { backend, ...options } = choice
  return { name: backend, options }
}

// Says what is wrong with a choice, or undefined when it names a registered backend with valid options.
const problemOf = (choice: Choice): string | undefined => {
  const { name, options } = split(choice)
  const definition = Backend.lookup(name)
  if (definition === undefined) {
    return `unknown sandbox backend "${name}" (the registered ones: ${Backend.names().join(", ")})`
  }
  const decoded = Schema.decodeUnknownExit(definition.options)(options)
  if (decoded._tag === "Success") return undefined
  const error = Cause.squash(decoded.cause)
  const message = error instanceof Error ? error.message : String(error)
  // One line: the path ("at [\"sandboxTimeoutMs\"]") is on the next line of the schema's message.
  return `sandbox "${name}" options: ${message.replace(/\n\s*/g, " ")}`
}

export const Choice: Schema.Codec<Choice> = Schema.Union([
  Schema.String,
  Schema.StructWithRest(Schema.Struct({ backend: Schema.String }), [
    Schema.Record(Schema.String, Schema.Unknown)
  ])
]).check(Schema.makeFilter(problemOf))

/** A layer running the backend registered as `name`; `options` are that backend's (decoded by its schema). */
const layerNamed = (
  tag: typeof Sandbox,
  choice: Choice,
  base?: Limits
): Layer.Layer<Sandbox, SandboxUnavailable> =>
  Layer.effect(
    tag,
    Effect.gen(function* () {
      const { name, options } = split(choice)
      const definition = Backend.lookup(name)
      const problem = definition === undefined ? problemOf(choice) : undefined
      if (definition === undefined || problem !== undefined) {
        return yield* new SandboxUnavailable({ backend: name, message: problem ?? `unknown backend ${name}` })
      }
      const decoded = yield* Schema.decodeUnknownEffect(definition.options)(options).pipe(
        Effect.mapError(
          (e) => new SandboxUnavailable({ backend: name, message: `sandbox "${name}" options: ${e.message}` })
        )
      )
      // What only code can pass (a stand-in's `create`, say) goes through beside the decoded options.
      const merged =
        typeof options === "object" && typeof decoded === "object" ? { ...options, ...decoded } : decoded
      return make(yield* definition.make(merged), base)
    })
  )

/**
 * Runs agent code. Backends are registered by name (`isolate`, the default: V8 isolates via
 * isolated-vm; `quickjs`: QuickJS compiled to WebAssembly, for where no native addon loads; `e2b`:
 * a runner process in an E2B cloud sandbox); {@link Sandbox.layerFor} picks one.
 */
export class Sandbox extends Context.Service<
  Sandbox,
  {
    readonly backend: string
    readonly execute: (request: ExecuteRequest) => Effect.Effect<ExecutionResult, SandboxError>
  }
>()("@tta/sandbox/Sandbox") {
  /** The backend a config file chose (see {@link Choice}), with default limits of your own. */
  static readonly layerFor = (choice: Choice, limits?: Limits): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerNamed(Sandbox, choice, limits)
  /** V8 isolates (isolated-vm). Needs Node ≥ 24 run with `--no-node-snapshot`. */
  static readonly isolate: Layer.Layer<Sandbox, SandboxUnavailable> = layerNamed(Sandbox, "isolate")
  /** QuickJS in WebAssembly, loaded on first use; no native code needed. */
  static readonly quickjs: Layer.Layer<Sandbox, SandboxUnavailable> = layerNamed(Sandbox, "quickjs")
  /** With default limits of your own (a request's `limits` still override them). */
  static readonly layerIsolate = (limits: Limits): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerNamed(Sandbox, "isolate", limits)
  static readonly layerQuickJs = (limits: Limits): Layer.Layer<Sandbox, SandboxUnavailable> =>
    layerNamed(Sandbox, "quickjs", limits)
  /** The default: {@link Sandbox.isolate}. */
  static readonly layer = Sandbox.isolate
}

/** Runs `request` with whichever `Sandbox` layer is provided. */
export const execute = (request: ExecuteRequest): Effect.Effect<ExecutionResult, SandboxError, Sandbox> =>
  Effect.gen(function* () {
    const sandbox = yield* Sandbox
    return yield* sandbox.execute(request)
  })
