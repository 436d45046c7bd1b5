import { Effect, type Scope } from "effect"
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten"
import type { Backend, Session } from "../../Backend.ts"
import { CodeError, type LimitName, SandboxUnavailable, thrownValue } from "../../Errors.ts"
import { exceeded } from "../../Limits.ts"
import { partSource } from "../../Prelude.ts"
import { entryName, type Program, resolveSpecifier, unresolvedMessage } from "../../Program.ts"
import { pacer } from "./Interrupts.ts"
import type * as Machine from "./Machine.ts"
import * as Modules from "./Modules.ts"

// Jobs run per batch before the host checks the CPU and wall limits itself: a microtask storm
// may never reach QuickJS's own interrupt poll.
const jobBatch = 512

const toCodeError = (dumped: unknown): CodeError => {
  if (typeof dumped === "object" && dumped !== null && "message" in dumped) {
    const e = dumped as { name?: unknown; message?: unknown; stack?: unknown }
    const name = typeof e.name === "string" ? e.name : "Error"
    const message = String(e.message)
    const frames = typeof e.stack === "string" ? e.stack.trimEnd() : ""
    return new CodeError({
      name,
      message,
      stack: frames === "" ? `${name}: ${message}` : `${name}: ${message}\n${frames}`
    })
  }
  return thrownValue(dumped)
}

/** One execution on a machine, and what it has used. */
interface Vm {
  readonly machine: Machine.Machine
  readonly rt: QuickJSRuntime
  readonly context: QuickJSContext
  /** Handles made for this execution: freed with the machine's memory on reset. */
  readonly owned: Array<QuickJSHandle>
  cpuUsed: number
  sliceStart: number
  killedBy: LimitName | undefined
  /** The WebAssembly was left mid-call (native stack overflow): never touch this module again. */
  broken: boolean
  /** The machine was reset: this execution's handles are gone. */
  closed: boolean
}

const open = (machine: Machine.Machine, program: Program, session: Session): Vm => {
  const { limits } = session
  const { rt, context, module } = machine
  const vm: Vm = {
    machine,
    rt,
    context,
    owned: [],
    cpuUsed: 0,
    sliceStart: performance.now(),
    killedBy: undefined,
    broken: false,
    closed: false
  }
  // QuickJS's own limit as well as the memory's maximum (see Modules.ts): it stops most bombs earlier.
  rt.setMemoryLimit(limits.memoryMb * 1024 * 1024)
  const wallDeadline = performance.now() + limits.wallTimeMs
  const pace = pacer(module, context)
  // The normalizer's own errors do not reach the code, so an unresolvable import becomes a name
  // the loader refuses with the message.
  const unresolved = new Map<string, string>()
  machine.hooks = {
    interrupt: () => {
      pace()
      const now = performance.now()
      if (vm.cpuUsed + (now - vm.sliceStart) > limits.cpuTimeMs) vm.killedBy ??= "cpuTime"
      else if (now > wallDeadline) vm.killedBy ??= "wallTime"
      return vm.killedBy !== undefined || session.done()
    },
    load: (name) => {
      let source: string | undefined
      try {
        source = program.modules.get(name)
      } catch (e) {
        // A mounted file whose types cannot be stripped (read lazily): its CodeError's message.
        return { error: new Error((e as Error).message) }
      }
      if (source !== undefined) return source
      return { error: new Error(unresolved.get(name) ?? `module ${name} is not mounted`) }
    },
    normalize: (base, requested) => {
      const path = resolveSpecifier(requested, base, (p) => program.modules.has(p))
      if (path !== undefined) return path
      const name = `<unresolved:${unresolved.size}>`
      unresolved.set(name, unresolvedMessage(requested, base))
      return name
    },
    send: (kind, a, b, c) => {
      if (kind === "load") {
        const source = partSource(a)
        return source === undefined ? undefined : context.newString(source)
      }
      session.receive(String(kind), a, b, c)
      return undefined
    }
  }
  return vm
}

/**
 * Resets the machine (see Machine.reset). Jobs still queued are dropped with the memory, never
 * run: code after a limit kill must not run again.
 */
const close = (vm: Vm): Machine.Outcome => {
  vm.closed = true
  return vm.broken ? "broken" : vm.machine.reset(vm.owned)
}

const drive = (vm: Vm, program: Program, session: Session): void => {
  const { limits } = session
  const { rt, context } = vm
  const wallDeadline = performance.now() + limits.wallTimeMs
  // One entry into QuickJS; every entry runs on this thread, so its duration is the code's CPU
  // time. If the host's native stack runs out inside the WebAssembly (deep recursion in QuickJS's
  // C code, e.g. JSON of a deeply nested value), QuickJS is left mid-call: mark the module broken.
  const guarded = <A>(f: () => A): A | undefined => {
    if (vm.broken) return undefined
    vm.sliceStart = performance.now()
    try {
      return f()
    } catch (e) {
      vm.broken = true
      session.fail(
        new CodeError({
          name: "RangeError",
          message: `Maximum call stack size exceeded (${String((e as Error)?.message ?? e)})`,
          stack: ""
        })
      )
      return undefined
    } finally {
      vm.cpuUsed += performance.now() - vm.sliceStart
    }
  }
  // What evaluating the entry module returned: its namespace, or a promise of it (top-level await).
  let entry: QuickJSHandle | undefined
  let finished = false
  const finish = (ns: QuickJSHandle) => {
    finished = true
    const r = guarded(() => context.callFunction(vm.machine.finish, context.undefined, ns))
    if (r === undefined) return
    if (r.error) report(r.error)
    else r.value.dispose()
  }
  const report = (errorHandle: QuickJSHandle) => {
    const dumped = guarded(() => context.dump(errorHandle))
    if (vm.broken) return
    errorHandle.dispose()
    if (session.done()) return
    if (vm.killedBy !== undefined) return session.fail(exceeded(vm.killedBy, limits))
    const message = String((dumped as { message?: unknown })?.message ?? "")
    if (/out of memory/i.test(message)) return session.fail(exceeded("memory", limits))
    session.fail(toCodeError(dumped))
  }
  // After each turn: limits, then the entry module: evaluated (report its value) or rejected (an
  // error after an `await`).
  const afterTurn = () => {
    if (vm.killedBy === undefined && vm.cpuUsed > limits.cpuTimeMs) vm.killedBy = "cpuTime"
    if (vm.killedBy === undefined && performance.now() > wallDeadline) vm.killedBy = "wallTime"
    if (vm.killedBy !== undefined) return session.fail(exceeded(vm.killedBy, limits))
    if (entry === undefined || finished || session.done() || vm.broken) return
    const state = context.getPromiseState(entry)
    if (state.type === "rejected") report(state.error)
    else if (state.type === "fulfilled") {
      finish(state.value)
      if (!state.notAPromise) state.value.dispose()
    }
  }
  const pump = () => {
    for (;;) {
      const r = guarded(() => rt.executePendingJobs(jobBatch))
      if (r === undefined) return
      if (r.error) return report(r.error)
      const ran = r.value
      afterTurn()
      if (ran < jobBatch || session.done()) return
    }
  }

  configure(vm, session)
  const dispatch = vm.machine.dispatch
  const turn = (code: number, payload?: string) => {
    if (vm.closed || session.done() || vm.broken) return
    const codeHandle = context.newNumber(code)
    const payloadHandle = payload === undefined ? context.undefined : context.newString(payload)
    const r = guarded(() => context.callFunction(dispatch, context.undefined, codeHandle, payloadHandle))
    if (vm.broken || r === undefined) return
    codeHandle.dispose()
    payloadHandle.dispose()
    if (r.error) report(r.error)
    else r.value.dispose()
    if (!session.done()) pump()
  }
  // Deferred to a microtask: a host call that completes synchronously must not re-enter QuickJS
  // from inside the `send` that started it.
  session.attach({
    settle: (id, ok, payload) => Promise.resolve().then(() => turn(id * 4 + (ok ? 1 : 0), payload)),
    fire: (id) => Promise.resolve().then(() => turn(id * 4 + 3))
  })

  // Evaluated directly (its namespace comes back): no root module importing it to compile.
  const evaluated = guarded(() =>
    context.evalCode(program.modules.get(entryName) ?? "", entryName, { type: "module" })
  )
  if (evaluated === undefined) return
  if (evaluated.error) {
    report(evaluated.error)
    return
  }
  entry = evaluated.value
  vm.owned.push(entry)
  // A module without top-level await has its value now, before any job runs (as V8 reports it).
  afterTurn()
  if (!session.done()) pump()
  session.checkIdle()
}

/** Gives the machine's prelude this execution's host names and output budget. */
const configure = (vm: Vm, session: Session): void => {
  const { context, owned, machine } = vm
  // As JSON text: the host part parses it if the code ever uses `host` (an array would cost an eval).
  const names = context.newString(JSON.stringify(session.hostNames))
  owned.push(names)
  const budget = context.newNumber(session.limits.outputBytes)
  owned.push(budget)
  context.unwrapResult(context.callFunction(machine.configure, context.undefined, names, budget)).dispose()
}

const run = (
  modules: Modules.Modules,
  program: Program,
  session: Session
): Effect.Effect<void, SandboxUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const unavailable = (what: string) => (cause: unknown) =>
      new SandboxUnavailable({ backend: "quickjs", message: `${what}: ${String(cause)}`, cause })
    const lease =
      modules.take(session.limits.memoryMb) ??
      (yield* Effect.tryPromise({
        try: () => modules.acquire(session.limits.memoryMb),
        catch: unavailable("QuickJS could not be loaded")
      }))
    const vm = yield* Effect.acquireRelease(
      Effect.try({
        try: () => open(lease.machine, program, session),
        catch: (cause) => {
          lease.release("broken")
          return unavailable("the QuickJS runtime could not be set up")(cause)
        }
      }),
      (vm) => Effect.sync(() => lease.release(close(vm)))
    )
    yield* Effect.try({
      try: () => drive(vm, program, session),
      catch: unavailable("the QuickJS runtime could not be set up")
    })
  })

/** Nothing loads until the first execution: the WebAssembly modules are made then, and kept. */
export const backend = (): Effect.Effect<Backend> =>
  Effect.sync(() => {
    const modules = Modules.make()
    return { name: "quickjs", run: (program: Program, session: Session) => run(modules, program, session) }
  })
