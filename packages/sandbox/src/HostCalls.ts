import { Cause, Effect, Predicate } from "effect"
import type { HostCall, HostFunctions } from "./Backend.ts"
import type { SandboxError } from "./Errors.ts"
import { exceeded, type ResolvedLimits } from "./Limits.ts"

/** Turns whatever a host effect failed with into the JSON the sandbox rebuilds an Error from. */
export const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const e = Cause.squash(cause)
  if (Predicate.isObject(e)) {
    const o = e as { name?: unknown; message?: unknown; _tag?: unknown }
    const tag = typeof o._tag === "string" ? o._tag : undefined
    const message =
      typeof o.message === "string" && o.message !== ""
        ? o.message
        : (tag ?? (Cause.pretty(cause) || "failed"))
    const name = tag ?? (typeof o.name === "string" ? o.name : "Error")
    return JSON.stringify(tag === undefined ? { name, message } : { name, message, _tag: tag })
  }
  return JSON.stringify({ name: "Error", message: String(e) })
}

/** What the host-call handler needs from its session. */
export interface HostCallOptions {
  readonly host: HostFunctions
  readonly limits: ResolvedLimits
  /** `performance.now()` at the start of the execution. */
  readonly t0: number
  /** Each call is recorded here (and counted against `limits.hostCalls`). */
  readonly hostCalls: Array<HostCall>
  readonly runFork: (effect: Effect.Effect<void>) => unknown
  /** Whether a tracer takes spans (see Tracing.ts): each call in a `sandbox.host_call` span then. */
  readonly tracing: boolean
  readonly fail: (error: SandboxError) => void
  /** Hands the outcome of call `id` back to the sandbox. */
  readonly settle: (id: number, ok: boolean, payload: string | undefined) => void
  /** +1 when a call starts running, -1 when it ends (before it is settled). */
  readonly inFlight: (delta: number) => void
}

/** Handles the sandbox's `call` message: runs `host[name]` with the JSON arguments and settles it. */
export const makeCaller = (o: HostCallOptions) => (id: number, name: string, argsJson: string) => {
  if (o.hostCalls.length >= o.limits.hostCalls) return o.fail(exceeded("hostCalls", o.limits))
  const fn = Object.hasOwn(o.host, name) ? o.host[name] : undefined
  let args: unknown
  try {
    args = JSON.parse(argsJson)
  } catch {
    args = undefined
  }
  if (fn === undefined || !Array.isArray(args)) {
    const message = fn === undefined ? `host.${name} is not a function` : "malformed host call"
    return o.settle(id, false, JSON.stringify({ name: "TypeError", message }))
  }
  const record: { -readonly [K in keyof HostCall]: HostCall[K] } = {
    name,
    args,
    startedMs: performance.now() - o.t0,
    durationMs: 0,
    ok: false
  }
  o.hostCalls.push(record)
  o.inFlight(1)
  const effect = fn(...args)
  const ended = () => {
    o.inFlight(-1)
    record.durationMs = performance.now() - o.t0 - record.startedMs
  }
  o.runFork(
    // No call-site stack: it would point here, not at the agent's code, and capturing it was ~9% of
    // a host call's CPU.
    (o.tracing
      ? Effect.withSpan(effect, "sandbox.host_call", {
          attributes: { "sandbox.host.function": name },
          captureStackTrace: false
        })
      : effect
    ).pipe(
      Effect.matchCause({
        onSuccess: (value) => {
          ended()
          let payload: string | undefined
          try {
            payload = value === undefined ? undefined : JSON.stringify(value)
          } catch (e) {
            record.error = `the result of host.${name} is not JSON-serialisable: ${(e as Error).message}`
            return o.settle(id, false, JSON.stringify({ name: "TypeError", message: record.error }))
          }
          record.ok = true
          return o.settle(id, true, payload)
        },
        onFailure: (cause) => {
          ended()
          const failure = describeFailure(cause)
          record.error = (JSON.parse(failure) as { message: string }).message
          return o.settle(id, false, failure)
        }
      })
    )
  )
}
