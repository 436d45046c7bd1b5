import type IsolatedVM from "isolated-vm"

type Ivm = typeof IsolatedVM
/** `(send, hostNames, outputBytes) => dispatch`. */
type Bind = IsolatedVM.Reference<(...args: ReadonlyArray<unknown>) => unknown>

/** The global the setup script leaves: binds the installed prelude to one execution, then removes itself. */
export const bindName = "__tta_bind"

/**
 * Puts the prelude in a context. Isolates are made from a V8 startup snapshot whose context already
 * ran the setup script (the prelude installed, the binder left as a global; warmed up once in a
 * context V8 discards, so its code is compiled too): every context of such an isolate starts with
 * it, and an execution only binds it (its `send`, host names, budget). Measured in a replica: the
 * prelude's part of a cold start 130 µs (compile from code cache + run) -> 84 µs (compiled in the
 * snapshot, run per context) -> the bind alone. The snapshot is made with the backend's (the layer's) second
 * isolate, so a process that runs one execution never pays the ~9 ms it takes; contexts of isolates
 * made without it run the script (V8's code cache of it made by the first).
 */
export interface Installer {
  /** A new isolate, from the snapshot once there is one. */
  newIsolate(memoryMb: number): IsolatedVM.Isolate
  /**
   * False for an isolate made before the snapshot was: the pool drops it rather than keep it, so a
   * long-lived pool ends up with isolates from the snapshot only.
   */
  current(isolate: IsolatedVM.Isolate): boolean
  /** The binder of `context` (a new context of `isolate`), synchronously. */
  bindSync(isolate: IsolatedVM.Isolate, context: IsolatedVM.Context): Bind
  /** The same, on the isolate's thread. */
  bind(isolate: IsolatedVM.Isolate, context: IsolatedVM.Context): Promise<Bind>
}

/** Isolates made from the snapshot in this process (for tests: proof that the snapshot is used). */
export const stats = { fromSnapshot: 0 }

/** `setup`: the source of a script that installs the prelude and leaves {@link bindName}. */
export const make = (ivm: Ivm, setup: string): Installer => {
  // Binds once and reports a result, in the context V8 discards: that code is compiled in the snapshot.
  const warmUp = `globalThis.${bindName}({ applySync() {}, applyIgnored() {} }, [], 1000)
globalThis.__tta_finish({ default: 1 })`
  const fromSnapshot = new WeakSet<IsolatedVM.Isolate>()
  let made = 0
  let snapshot: IsolatedVM.ExternalCopy<ArrayBuffer> | undefined
  let failed = false
  let cache: IsolatedVM.ExternalCopy<ArrayBuffer> | undefined
  const compile = (isolate: IsolatedVM.Isolate) => {
    const compiled = isolate.compileScriptSync(setup, {
      filename: "<tta:prelude>",
      ...(cache === undefined ? { produceCachedData: true } : { cachedData: cache })
    })
    cache ??= (compiled as IsolatedVM.Script & IsolatedVM.CachedDataResult).cachedData
    return compiled
  }
  return {
    newIsolate: (memoryMb) => {
      made++
      if (snapshot === undefined && !failed && made >= 2) {
        try {
          snapshot = ivm.Isolate.createSnapshot([{ code: setup, filename: "<tta:prelude>" }], warmUp)
        } catch {
          failed = true
        }
      }
      if (snapshot === undefined) return new ivm.Isolate({ memoryLimit: memoryMb })
      const isolate = new ivm.Isolate({ memoryLimit: memoryMb, snapshot })
      fromSnapshot.add(isolate)
      stats.fromSnapshot++
      return isolate
    },
    current: (isolate) => snapshot === undefined || fromSnapshot.has(isolate),
    bindSync: (isolate, context) => {
      if (!fromSnapshot.has(isolate)) {
        const compiled = compile(isolate)
        compiled.runSync(context)
        compiled.release()
      }
      return context.global.getSync(bindName, { reference: true }) as Bind
    },
    bind: async (isolate, context) => {
      if (!fromSnapshot.has(isolate)) {
        const compiled = compile(isolate)
        await compiled.run(context)
        compiled.release()
      }
      // On this thread: a read of one global (~25 µs) costs less than a hop to the isolate's thread and back.
      return context.global.getSync(bindName, { reference: true }) as Bind
    }
  }
}
