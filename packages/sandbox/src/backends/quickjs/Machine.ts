import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten"
import { preludeSource } from "../../Prelude.ts"
import { capture, reseeder, type Snapshot } from "./Snapshot.ts"

// Well below the native stack QuickJS runs on (the host's), so most deep recursion is QuickJS's own
// catchable "stack overflow"; what still runs the native stack out is handled by the backend.
const maxStackBytes = 256 * 1024

// Run once per machine, before the copy: the prelude is installed in the copy, and each execution
// only sets its own settings (host names, output budget) with \`configure\`.
const setup = `((prelude) => (send) => {
  const settings = { hostNames: "[]", outputBudget: 0 }
  const h = prelude(globalThis, send, settings)
  return [
    (names, budget) => { settings.hostNames = names; settings.outputBudget = budget },
    (code, payload) => code % 4 === 3 ? h.fire((code - 3) / 4) : h.settle((code - code % 4) / 4, code % 4 === 1, payload),
    (ns) => h.finish(ns)
  ]
})(${preludeSource})`

/** What the execution using a machine does when QuickJS calls out. */
export interface Hooks {
  /** The prelude's `send` (see `Outbound` in Prelude.ts); may return a handle (a part's source). */
  send(kind: unknown, a: unknown, b: unknown, c: unknown): QuickJSHandle | undefined
  /** True stops the code. */
  interrupt(): boolean
  load(name: string): string | { readonly error: Error }
  normalize(base: string, requested: string): string
}

/**
 * A QuickJS runtime and context in one WebAssembly module, with the prelude compiled, ready to run
 * one execution at a time. After an execution {@link Machine.reset} restores the module's memory
 * to the moment the machine was made (see Snapshot.ts): the next execution starts in a context no
 * code has run in, without making a runtime and context and compiling the prelude again (~80% of
 * a cold start).
 */
export interface Machine {
  readonly module: QuickJSWASMModule
  readonly rt: QuickJSRuntime
  readonly context: QuickJSContext
  /** `(hostNamesJson, outputBudget) => void`: one execution's settings (see `setup`). */
  readonly configure: QuickJSHandle
  /**
   * `(code, payload) => void`: settles host call `id` (code `id * 4 + 1` ok, `id * 4` failed) or fires
   * timer `id` (code `id * 4 + 3`). One number instead of three values: a handle each to make and free.
   */
  readonly dispatch: QuickJSHandle
  /** `(namespace) => void`: reports the entry module's `export default`. */
  readonly finish: QuickJSHandle
  /** The execution now running here. */
  hooks: Hooks | undefined
  /**
   * Makes the machine as new ("restored"). Without a memory copy (see `make`) the runtime is freed
   * instead ("freed": the module can hold a new machine), or left to the garbage collector with its
   * module when freeing fails ("broken"). Handles made since the machine was made must not be used
   * after this, nor disposed: their memory is gone.
   */
  reset(owned: ReadonlyArray<QuickJSHandle>): Outcome
}

/** What became of a machine after an execution; "broken" also when the WebAssembly was left mid-call. */
export type Outcome = "restored" | "freed" | "broken"

/** Machines made and resets done in this process (for tests: proof that machines are reused). */
export const stats = { made: 0, resets: 0 }

const none = (): never => {
  throw new Error("no execution is running on this QuickJS machine")
}

/**
 * Makes a machine in `module`. The memory copy needs a module whose memory above the heap's top is
 * still zero (one nothing else has used); in a module where an earlier machine was freed the copy
 * is still exact, only larger.
 */
export const make = (module: QuickJSWASMModule): Machine => {
  stats.made++
  const rt = module.newRuntime()
  rt.setMaxStackSize(maxStackBytes)
  const context = rt.newContext()
  let hooks: Hooks | undefined
  const dump = (h: QuickJSHandle | undefined) => (h === undefined ? undefined : context.dump(h))
  // Set once, before the copy: a restore puts back the runtime's flags that they are on.
  rt.setInterruptHandler(() => hooks?.interrupt() ?? false)
  rt.setModuleLoader(
    (name) => (hooks === undefined ? { error: new Error("no execution") } : hooks.load(name)),
    (base, requested) => (hooks ?? none()).normalize(base, requested)
  )
  // The frequent messages carry known types (see Outbound in Prelude.ts): read them as such, without
  // first asking QuickJS each value's type (dump), a call into the WebAssembly per value.
  const send = context.newFunction("send", (k, a, b, c) => {
    if (hooks === undefined) return undefined
    const kind = context.getString(k)
    if (kind === "call" && a !== undefined && b !== undefined && c !== undefined) {
      return hooks.send(kind, context.getNumber(a), context.getString(b), context.getString(c))
    }
    if (kind === "log" && a !== undefined && b !== undefined) {
      return hooks.send(kind, context.getString(a), context.getString(b), undefined)
    }
    return hooks.send(kind, dump(a), dump(b), dump(c))
  })
  const setupFn = context.unwrapResult(context.evalCode(setup, "<tta:prelude>"))
  const made = context.unwrapResult(context.callFunction(setupFn, context.undefined, send))
  const [configure, dispatch, finish] = [0, 1, 2].map((i) => context.getProp(made, i)) as [
    QuickJSHandle,
    QuickJSHandle,
    QuickJSHandle
  ]
  made.dispose()
  setupFn.dispose()
  // Handles the backend uses are cached by quickjs-emscripten on first use: made now, they are in the copy.
  void [context.undefined, context.null, context.true, context.false, context.global]
  const reseed = reseeder(module, context)
  const snapshot: Snapshot | undefined = reseed === undefined ? undefined : capture(module)
  reseed?.()
  const free = (owned: ReadonlyArray<QuickJSHandle>): Outcome => {
    try {
      for (const h of [...owned, configure, dispatch, finish, send]) if (h.alive) h.dispose()
      context.dispose()
      rt.dispose()
      return "freed"
    } catch {
      // A runtime that cannot be freed may have corrupted its module's heap: dropped with it.
      return "broken"
    }
  }
  return {
    module,
    rt,
    context,
    configure,
    dispatch,
    finish,
    get hooks() {
      return hooks
    },
    set hooks(h) {
      hooks = h
    },
    reset: (owned) => {
      hooks = undefined
      // Without a way to give each execution its own `Math.random` (a QuickJS build whose context
      // this cannot calibrate), a machine serves one execution and its module the next machine.
      if (snapshot === undefined || reseed === undefined) return free(owned)
      snapshot.restore()
      reseed()
      stats.resets++
      return "restored"
    }
  }
}
