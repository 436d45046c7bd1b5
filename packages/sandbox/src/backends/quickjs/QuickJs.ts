import { Effect, type Scope } from "effect"
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten"
import type { Backend, Session } from "../../Backend.ts"
import { CodeError, type LimitName, SandboxUnavailable, thrownValue } from "../../Errors.ts"
import { exceeded } from "../../Limits.ts"
import { preludeSource } from "../../Prelude.ts"
import { entryName, type Program, resolveSpecifier, unresolvedMessage } from "../../Program.ts"

const rootName = "<tta:root>"
// Below the WebAssembly stack, so deep recursion is a catchable RangeError-like error, not a crash.
// Well below the native stack QuickJS runs on (the host's), so most deep recursion is QuickJS's own
// catchable "stack overflow"; what still runs the native stack out is handled in `guarded`.
const maxStackBytes = 256 * 1024

const setup = `((prelude) => (send, names, budget) => {
  const h = prelude(globalThis, send, names, budget)
  Object.defineProperty(globalThis, "__tta_finish", { value: (ns) => h.finish(ns) })
  return (kind, id, ok, payload) => kind === 0 ? h.settle(id, ok, payload) : h.fire(id)
})(${preludeSource})`

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

interface Holder {
  module: QuickJSWASMModule | undefined
  load: () => Promise<QuickJSWASMModule>
}

const run = (
  holder: Holder,
  program: Program,
  session: Session
): Effect.Effect<void, SandboxUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const { limits } = session
    const qjs =
      holder.module ??
      (yield* Effect.tryPromise({
        try: () => holder.load(),
        catch: (cause) =>
          new SandboxUnavailable({
            backend: "quickjs",
            message: `QuickJS could not be loaded: ${String(cause)}`,
            cause
          })
      }))
    holder.module = qjs

    const wallDeadline = performance.now() + limits.wallTimeMs
    let cpuUsed = 0
    let sliceStart = performance.now()
    let killedBy: LimitName | undefined
    const owned: Array<QuickJSHandle> = []
    let rt: QuickJSRuntime | undefined
    let ctx: QuickJSContext | undefined

    let dying = false
    let broken = false
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        if (broken) return
        try {
          // QuickJS cannot free a runtime with jobs still queued (the context stays referenced):
          // drain them, with every job interrupted at its first check.
          dying = true
          for (let i = 0; i < 100 && rt?.hasPendingJob(); i++) rt.executePendingJobs().dispose()
          if (rt?.hasPendingJob()) throw new Error("jobs keep coming")
          for (const h of owned) if (h.alive) h.dispose()
          ctx?.dispose()
          rt?.dispose()
        } catch {
          // A runtime that cannot be freed would leak inside the shared WebAssembly heap, or may
          // have corrupted it: leave it to the garbage collector with its module, use a new one.
          holder.module = undefined
        }
      })
    )

    rt = qjs.newRuntime()
    rt.setMemoryLimit(limits.memoryMb * 1024 * 1024)
    rt.setMaxStackSize(maxStackBytes)
    rt.setInterruptHandler(() => {
      const now = performance.now()
      if (cpuUsed + (now - sliceStart) > limits.cpuTimeMs) killedBy ??= "cpuTime"
      else if (now > wallDeadline) killedBy ??= "wallTime"
      return dying || killedBy !== undefined || session.done()
    })
    // The normalizer's own errors do not reach the code, so an unresolvable import becomes a name
    // the loader refuses with the message.
    const unresolved = new Map<string, string>()
    rt.setModuleLoader(
      (name) => {
        const source = program.modules.get(name)
        if (source !== undefined) return source
        return { error: new Error(unresolved.get(name) ?? `module ${name} is not mounted`) }
      },
      (base, requested) => {
        if (base === rootName) return requested
        const path = resolveSpecifier(requested, base, (p) => program.modules.has(p))
        if (path !== undefined) return path
        const name = `<unresolved:${unresolved.size}>`
        unresolved.set(name, unresolvedMessage(requested, base))
        return name
      }
    )
    const context = rt.newContext()
    ctx = context

    // Every entry into QuickJS runs on this thread: its duration is the code's CPU time.
    const enter = () => {
      sliceStart = performance.now()
    }
    const leave = () => {
      cpuUsed += performance.now() - sliceStart
    }
    // One entry into QuickJS. If the host's native stack runs out inside the WebAssembly (deep
    // recursion in QuickJS's C code, e.g. JSON of a deeply nested value), QuickJS is left
    // mid-call: abandon this module (never touch it again) and load a new one next time.
    const guarded = <A>(f: () => A): A | undefined => {
      if (broken) return undefined
      enter()
      try {
        return f()
      } catch (e) {
        broken = true
        holder.module = undefined
        session.fail(
          new CodeError({
            name: "RangeError",
            message: `Maximum call stack size exceeded (${String((e as Error)?.message ?? e)})`,
            stack: ""
          })
        )
        return undefined
      } finally {
        leave()
      }
    }
    let rootResult: QuickJSHandle | undefined
    const report = (errorHandle: QuickJSHandle) => {
      const dumped = guarded(() => context.dump(errorHandle))
      if (broken) return
      errorHandle.dispose()
      if (session.done()) return
      if (killedBy !== undefined) return session.fail(exceeded(killedBy, limits))
      const message = String((dumped as { message?: unknown })?.message ?? "")
      if (/out of memory/i.test(message)) return session.fail(exceeded("memory", limits))
      session.fail(toCodeError(dumped))
    }
    // After each turn: surface a rejected entry module (an error after an `await`) and limits.
    const afterTurn = () => {
      if (killedBy !== undefined) return session.fail(exceeded(killedBy, limits))
      if (rootResult === undefined || session.done() || broken) return
      const state = context.getPromiseState(rootResult)
      if (state.type === "rejected") report(state.error)
      else if (state.type === "fulfilled" && !state.notAPromise) state.value.dispose()
    }
    const pump = () => {
      const r = guarded(() => rt!.executePendingJobs())
      if (r === undefined) return
      if (r.error) report(r.error)
      afterTurn()
    }

    const dump = (h: QuickJSHandle | undefined) => (h === undefined ? undefined : context.dump(h))
    const send = context.newFunction("send", (k, a, b, c) => {
      session.receive(dump(k), dump(a), dump(b), dump(c))
    })
    owned.push(send)
    const dispatch = yield* Effect.try({
      try: () => {
        const names = context.unwrapResult(context.evalCode(JSON.stringify(session.hostNames)))
        owned.push(names)
        const budget = context.newNumber(limits.outputBytes)
        owned.push(budget)
        const setupFn = context.unwrapResult(context.evalCode(setup, "<tta:prelude>"))
        owned.push(setupFn)
        const fn = context.unwrapResult(context.callFunction(setupFn, context.undefined, send, names, budget))
        owned.push(fn)
        return fn
      },
      catch: (cause) =>
        new SandboxUnavailable({
          backend: "quickjs",
          message: `the QuickJS runtime could not be set up: ${String(cause)}`,
          cause
        })
    })

    const turn = (kind: 0 | 1, id: number, ok?: boolean, payload?: string) => {
      if (session.done() || broken) return
      const kindH = context.newNumber(kind)
      const idH = context.newNumber(id)
      const payloadH = payload === undefined ? context.undefined : context.newString(payload)
      const r = guarded(() =>
        context.callFunction(
          dispatch,
          context.undefined,
          kindH,
          idH,
          ok ? context.true : context.false,
          payloadH
        )
      )
      if (broken || r === undefined) return
      kindH.dispose()
      idH.dispose()
      payloadH.dispose()
      if (r.error) report(r.error)
      else r.value.dispose()
      if (!session.done()) pump()
    }
    // Deferred to a microtask: a host call that completes synchronously must not re-enter QuickJS
    // from inside the `send` that started it.
    session.attach({
      settle: (id, ok, payload) => Promise.resolve().then(() => turn(0, id, ok, payload)),
      fire: (id) => Promise.resolve().then(() => turn(1, id))
    })

    const evaluated = guarded(() =>
      context.evalCode(`import * as ns from "${entryName}"; __tta_finish(ns)`, rootName, { type: "module" })
    )
    if (evaluated === undefined) return
    if (evaluated.error) {
      report(evaluated.error)
      return
    }
    rootResult = evaluated.value
    owned.push(rootResult)
    pump()
    session.checkIdle()
  })

/** Nothing loads until the first execution: the WebAssembly module is loaded then, and kept. */
export const backend = (): Effect.Effect<Backend> =>
  Effect.sync(() => {
    const holder: Holder = {
      module: undefined,
      load: () => import("quickjs-emscripten").then((m) => m.newQuickJSWASMModule())
    }
    return { name: "quickjs", run: (program: Program, session: Session) => run(holder, program, session) }
  })
