import { Deferred, Effect, Exit, FiberSet, type Scope } from "effect"
import type { Engine, HostCall, HostFunctions, LogEntry, Session } from "./Backend.ts"
import { CodeError, ResultNotSerializable, type SandboxError } from "./Errors.ts"
import * as HostCalls from "./HostCalls.ts"
import { exceeded, type ResolvedLimits } from "./Limits.ts"
import * as LogBuffer from "./LogBuffer.ts"
import * as TimerQueue from "./TimerQueue.ts"

/** Hands an entry to the caller's live hook; a hook that throws must not break the execution. */
const live = (onLog: (entry: LogEntry) => void, entry: LogEntry) => {
  try {
    onLog(entry)
  } catch {}
}

export const make = Effect.fnUntraced(function* (
  host: HostFunctions,
  limits: ResolvedLimits,
  onLog?: ((entry: LogEntry) => void) | undefined,
  /** Whether a tracer takes spans: host calls run in spans then (see Tracing.ts). */
  tracing = false
): Effect.fn.Return<Session, never, Scope.Scope> {
  const outcome = yield* Deferred.make<string | undefined, SandboxError>()
  const runFork = yield* FiberSet.makeRuntime<never>()
  const hostNames = Object.keys(host)
  const output = LogBuffer.make(limits.outputBytes)
  const hostCalls: Array<HostCall> = []
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
    if (!isDone() && inFlight === 0 && timers.size() === 0 && turns === 0) {
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

  const call = HostCalls.makeCaller({
    host,
    tracing,
    limits,
    t0,
    hostCalls,
    runFork,
    fail,
    settle,
    inFlight: (delta) => {
      inFlight += delta
    }
  })

  const timers = yield* TimerQueue.make({
    runFork,
    fire: (id) => {
      if (isDone() || engine === undefined) return
      const turn = engine.fire(id)
      deliver(turn)
      return turn
    }
  })

  const session: Session = {
    limits,
    hostNames,
    outcome,
    logs: output.logs,
    hostCalls,
    done: isDone,
    truncated: output.truncated,
    attach: (e) => {
      engine = e
    },
    fail,
    receive: (kind, a, b, c) => {
      if (isDone()) return
      switch (kind) {
        case "call":
          return call(a as number, String(b), String(c))
        case "log": {
          const entry = output.log(a, b)
          if (entry !== undefined && onLog !== undefined) live(onLog, entry)
          return
        }
        case "timer":
          return timers.add(a as number, Number(b), Number(c))
        case "clearTimer":
          return timers.remove(a as number)
        case "done":
          return complete(Exit.succeed(a === undefined ? undefined : String(a)))
        case "invalid":
          return fail(new ResultNotSerializable({ message: String(a) }))
        case "tooLarge":
          return fail(exceeded("outputBytes", limits))
      }
    },
    checkIdle,
    track: (work) => deliver(work.then(() => undefined)),
    fitOutput: output.fitOutput
  }
  return session
})
