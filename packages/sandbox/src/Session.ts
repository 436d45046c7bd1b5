import { Cause, Deferred, Effect, Exit, type Fiber, FiberSet, Predicate, type Scope } from "effect"
import type { Engine, HostCall, HostFunctions, LogEntry, LogLevel, Session } from "./Backend.ts"
import { CodeError, ResultNotSerializable, type SandboxError } from "./Errors.ts"
import { exceeded, type ResolvedLimits } from "./Limits.ts"

const levels = new Set<LogLevel>(["log", "info", "warn", "error", "debug"])

/** Turns whatever a host effect failed with into the JSON the sandbox rebuilds an Error from. */
const describeFailure = (cause: Cause.Cause<unknown>): string => {
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

export const make = Effect.fnUntraced(function* (
  host: HostFunctions,
  limits: ResolvedLimits
): Effect.fn.Return<Session, never, Scope.Scope> {
  const outcome = yield* Deferred.make<string | undefined, SandboxError>()
  const runFork = yield* FiberSet.makeRuntime<never>()
  const hostNames = Object.keys(host)
  const logs: Array<LogEntry> = []
  const hostCalls: Array<HostCall> = []
  const timers = new Map<number, Fiber.Fiber<void>>()
  let logBytes = 0
  let truncated = false
  let inFlight = 0
  let turns = 0
  let ended = false
  let engine: Engine | undefined
  const t0 = performance.now()

  let finished = false
  // The outcome is completed on a microtask: completing it inline could resume the execution's
  // fiber, and close its scope (disposing the engine) while the engine is still on the stack.
  const complete = (exit: Exit.Exit<string | undefined, SandboxError>) => {
    if (finished) return
    finished = true
    queueMicrotask(() => Deferred.doneUnsafe(outcome, exit))
  }
  const isDone = () => ended || finished
  const fail = (error: SandboxError) => complete(Exit.fail(error))
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      ended = true
    })
  )

  const checkIdle = () => {
    if (engine?.tracksIdle === false) return
    if (!isDone() && inFlight === 0 && timers.size === 0 && turns === 0) {
      fail(
        new CodeError({
          name: "Error",
          message:
            "the code is waiting on a promise that nothing will ever settle (no host call or timer is pending)",
          stack: ""
        })
      )
    }
  }
  const deliver = (turn: Promise<void> | void) => {
    if (turn === undefined) return checkIdle()
    turns++
    turn.then(() => {
      turns--
      checkIdle()
    })
  }
  const settle = (id: number, ok: boolean, payload: string | undefined) => {
    if (!isDone() && engine !== undefined) deliver(engine.settle(id, ok, payload))
  }

  const call = (id: number, name: string, argsJson: string) => {
    if (hostCalls.length >= limits.hostCalls) return fail(exceeded("hostCalls", limits))
    const fn = Object.hasOwn(host, name) ? host[name] : undefined
    let args: unknown
    try {
      args = JSON.parse(argsJson)
    } catch {
      args = undefined
    }
    if (fn === undefined || !Array.isArray(args)) {
      const message = fn === undefined ? `host.${name} is not a function` : "malformed host call"
      return settle(id, false, JSON.stringify({ name: "TypeError", message }))
    }
    const record: { -readonly [K in keyof HostCall]: HostCall[K] } = {
      name,
      args,
      startedMs: performance.now() - t0,
      durationMs: 0,
      ok: false
    }
    hostCalls.push(record)
    inFlight++
    runFork(
      fn(...args).pipe(
        Effect.withSpan("sandbox.host_call", { attributes: { "sandbox.host.function": name } }),
        Effect.exit,
        Effect.map((exit) => {
          inFlight--
          record.durationMs = performance.now() - t0 - record.startedMs
          if (Exit.isSuccess(exit)) {
            let payload: string | undefined
            try {
              payload = exit.value === undefined ? undefined : JSON.stringify(exit.value)
            } catch (e) {
              record.error = `the result of host.${name} is not JSON-serialisable: ${(e as Error).message}`
              return settle(id, false, JSON.stringify({ name: "TypeError", message: record.error }))
            }
            record.ok = true
            return settle(id, true, payload)
          }
          const failure = describeFailure(exit.cause)
          record.error = (JSON.parse(failure) as { message: string }).message
          return settle(id, false, failure)
        })
      )
    )
  }

  const log = (level: unknown, text: unknown) => {
    if (truncated) return
    const message = String(text)
    const lvl = levels.has(level as LogLevel) ? (level as LogLevel) : "log"
    const bytes = Buffer.byteLength(message) + 1
    if (logBytes + bytes > limits.outputBytes) {
      truncated = true
      const room = limits.outputBytes - logBytes - 1
      if (room > 0) {
        const cut = Buffer.from(message).subarray(0, room).toString()
        logs.push({ level: lvl, message: cut })
        logBytes += Buffer.byteLength(cut) + 1
      }
      return
    }
    logs.push({ level: lvl, message })
    logBytes += bytes
  }

  const timer = (id: number, ms: number) => {
    timers.set(
      id,
      runFork(
        Effect.sleep(ms).pipe(
          Effect.andThen(
            Effect.sync(() => {
              timers.delete(id)
              if (!isDone() && engine !== undefined) deliver(engine.fire(id))
            })
          )
        )
      )
    )
  }

  const session: Session = {
    limits,
    hostNames,
    outcome,
    logs,
    hostCalls,
    done: isDone,
    truncated: () => truncated,
    attach: (e) => {
      engine = e
    },
    fail,
    receive: (kind, a, b, c) => {
      if (isDone()) return
      switch (kind) {
        case "call":
          return call(a as number, String(b), String(c))
        case "log":
          return log(a, b)
        case "timer":
          return timer(a as number, Number(b))
        case "clearTimer": {
          const fiber = timers.get(a as number)
          timers.delete(a as number)
          fiber?.interruptUnsafe()
          return
        }
        case "done":
          return complete(Exit.succeed(a === undefined ? undefined : String(a)))
        case "invalid":
          return fail(new ResultNotSerializable({ message: String(a) }))
        case "tooLarge":
          return fail(exceeded("outputBytes", limits))
      }
    },
    checkIdle,
    fitOutput: (valueBytes) => {
      while (logs.length > 0 && logBytes + valueBytes > limits.outputBytes) {
        const last = logs.pop()!
        logBytes -= Buffer.byteLength(last.message) + 1
        truncated = true
      }
    }
  }
  return session
})
