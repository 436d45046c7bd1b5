import { Effect, type Scope } from "effect"
import type IsolatedVM from "isolated-vm"
import type { Backend, Session } from "../../Backend.ts"
import { type LimitName, SandboxUnavailable } from "../../Errors.ts"
import { exceeded } from "../../Limits.ts"
import { partSource, preludeSource } from "../../Prelude.ts"
import type { Program } from "../../Program.ts"
import { importFunction } from "./DynamicImport.ts"
import * as Installer from "./Installer.ts"
import { linker, toCodeError } from "./Linker.ts"
import * as Pool from "./Pool.ts"

type Ivm = typeof IsolatedVM

const cpuPollMs = 5
// How long an ended execution's last calls into the isolate may take before it is disposed instead of reused.
const settleMs = 100

// Run in each new context (or once, in the V8 snapshot new isolates start from; see Installer.ts):
// installs the prelude, the result hook and the \`import()\` glue, and leaves a global that binds
// them to one execution (its \`send\` reference, host names and output budget), removing itself.
// Only "load" needs the host's answer; every other message is queued to the host without stopping
// the isolate's thread until the host has run it (a synchronous call costs a round trip: ~55 µs of
// a cold start). Messages still arrive in the order sent, before the evaluation that sent them is
// seen to end.
const setup = `(() => {
let sendRef;
const settings = { hostNames: [], outputBudget: 0 };
const send = (k, a, b, c) => k === "load" ? sendRef.applySync(undefined, [k, a, b, c]) : void sendRef.applyIgnored(undefined, [k, a, b, c]);
const h = ${preludeSource}(globalThis, send, settings);
Object.defineProperty(globalThis, "__tta_finish", { value: (ns) => h.finish(ns) });
const imports = new Map(); let importSeq = 0;
Object.defineProperty(globalThis, "${importFunction}", { value: (from, specifier) =>
  new Promise((resolve, reject) => {
    const id = ++importSeq; imports.set(id, [resolve, reject]);
    send("import", id, from, String(specifier));
  }) });
Object.defineProperty(globalThis, "__tta_imported", { value: (id, ns) => {
  const p = imports.get(id); imports.delete(id); p?.[0](ns);
} });
const refuse = (id, message) => { const p = imports.get(id); imports.delete(id); p?.[1](new Error(message)) };
const dispatch = (kind, id, ok, payload) => kind === 0 ? h.settle(id, ok, payload) : kind === 1 ? h.fire(id) : refuse(id, payload);
Object.defineProperty(globalThis, "${Installer.bindName}", { value: (ref, names, budget) => {
  delete globalThis.${Installer.bindName};
  sendRef = ref; settings.hostNames = names; settings.outputBudget = budget;
  return dispatch;
}, configurable: true });
})()`

/** A new context with the prelude installed in it, not yet bound to an execution. */
const prepare =
  (installer: Installer.Installer) =>
  async (isolate: IsolatedVM.Isolate): Promise<Pool.Warm> => {
    const context = await isolate.createContext()
    try {
      return { context, bind: await installer.bind(isolate, context) }
    } catch (e) {
      context.release()
      throw e
    }
  }

/** Installs the prelude in a new context and binds it, synchronously; returns its dispatch function. */
const installNow = (
  installer: Installer.Installer,
  isolate: IsolatedVM.Isolate,
  context: IsolatedVM.Context,
  args: ReadonlyArray<unknown>,
  held: Array<{ release(): void }>
): IsolatedVM.Reference<unknown> => {
  const bind = installer.bindSync(isolate, context)
  held.push(bind)
  return bind.applySync(undefined, [...args], {
    arguments: { copy: true },
    result: { reference: true }
  }) as IsolatedVM.Reference<unknown>
}

export { toCodeError }

const run = (
  ivm: Ivm,
  pool: Pool.Pool,
  installer: Installer.Installer,
  program: Program,
  session: Session
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { limits } = session
    let killedBy: LimitName | undefined
    // Calls into the isolate not yet returned. The execution usually ends inside one (the result
    // is sent from the turn that computed it): the isolate goes back once they return, or is
    // disposed if they do not return soon (work left running, e.g. a microtask storm).
    const inflight = new Set<Promise<unknown>>()
    // References into the isolate made for this execution: released if the isolate is kept, and
    // not one by one if it is disposed (they go with it).
    const held: Array<{ release(): void }> = []
    const tidy = () => {
      for (const h of held.splice(0)) {
        try {
          h.release()
        } catch {}
      }
    }
    const lease = yield* Effect.acquireRelease(
      Effect.promise(() => pool.acquire(limits.memoryMb)),
      (lease) =>
        Effect.sync(() => {
          if (killedBy !== undefined || inflight.size === 0)
            return lease.release(killedBy === undefined, tidy)
          lease.releaseLater(
            new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), settleMs)
              timer.unref()
              void Promise.allSettled([...inflight]).then(() => {
                clearTimeout(timer)
                resolve(killedBy === undefined)
              })
            }),
            tidy
          )
        })
    )
    const { isolate } = lease
    // Settles when a limit kills the isolate. Work in the isolate is awaited against it: a call
    // into the isolate may never return after a kill (isolated-vm copying a thrown Proxy whose
    // traps loop swallows the termination), and the execution must end at the limit all the same.
    let stop: (v: undefined) => void = () => undefined
    const stopped = new Promise<undefined>((resolve) => {
      stop = resolve
    })
    const inIsolate = <A>(work: Promise<A>): Promise<A | undefined> => {
      inflight.add(work)
      const done = () => inflight.delete(work)
      work.then(done, done)
      return Promise.race([work, stopped])
    }
    const kill = (limit: LimitName) => {
      if (killedBy !== undefined) return
      killedBy = limit
      stop(undefined)
      session.fail(exceeded(limit, limits))
      if (!isolate.isDisposed) isolate.dispose()
    }
    const onError = (e: unknown) => {
      if (session.done()) return
      if (/memory limit/i.test(String((e as Error)?.message))) return kill("memory")
      if (isolate.isDisposed) {
        return session.fail(
          new SandboxUnavailable({ backend: "isolate", message: `the isolate died: ${String(e)}`, cause: e })
        )
      }
      session.fail(toCodeError(e))
    }

    // A context prepared while the isolate was idle (a pooled isolate), else one made below.
    const warm = yield* Effect.promise(async () => (lease.warm === undefined ? undefined : await lease.warm))
    if (warm !== undefined) held.push(warm.context, warm.bind)
    // A pooled isolate's CPU time counts every execution it ran: this one's is the difference.
    const cpuStart = isolate.isDisposed ? 0n : isolate.cpuTime
    const watchdog = setInterval(() => {
      if (isolate.isDisposed) return
      if (Number(isolate.cpuTime - cpuStart) / 1e6 > limits.cpuTimeMs) kill("cpuTime")
    }, cpuPollMs)
    watchdog.unref()
    yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(watchdog)))

    let dynamicImport: (id: number, from: string, specifier: string) => Promise<unknown> = async () =>
      undefined
    yield* Effect.tryPromise({
      try: async () => {
        // Synchronous calls (on this thread, the isolate idle) for everything before the agent's code
        // runs: each asynchronous call is a hop to the isolate's thread and back, which more than
        // doubled a cold start on a loaded machine. Only evaluation (the agent's code) runs async,
        // where the CPU watchdog can stop it.
        const context = warm?.context ?? isolate.createContextSync()
        if (warm === undefined) held.push(context)
        const send = new ivm.Reference((kind: string, a: unknown, b: unknown, c: unknown) =>
          kind === "load"
            ? partSource(a)
            : kind === "import"
              ? session.track(dynamicImport(a as number, String(b), String(c)).catch(onError))
              : session.receive(kind, a, b, c)
        )
        held.push(send)
        const dispatch: IsolatedVM.Reference<
          (kind: number, id: number, ok?: boolean, payload?: string) => void
        > = (
          warm === undefined
            ? installNow(installer, isolate, context, [send, session.hostNames, limits.outputBytes], held)
            : warm.bind.applySync(undefined, [send, session.hostNames, limits.outputBytes], {
                arguments: { copy: true },
                result: { reference: true }
              })
        ) as IsolatedVM.Reference<(kind: number, id: number, ok?: boolean, payload?: string) => void>
        held.push(dispatch)
        const call = (args: [number, number, boolean?, (string | undefined)?]) =>
          inIsolate(dispatch.apply(undefined, args)).then(() => undefined, onError)
        session.attach({
          settle: (id, ok, payload) => call([0, id, ok, payload]),
          fire: (id) => call([1, id])
        })
        const graph = linker({
          isolate,
          context,
          program,
          held,
          refuse: (id, message) => inIsolate(dispatch.apply(undefined, [2, id, false, message])),
          evaluate: (m) => inIsolate(m.evaluate())
        })
        dynamicImport = graph.dynamicImport
        // The result arrives through __tta_finish; failures after an await surface as an
        // unhandled rejection thrown out of whichever later turn (settle/fire) ran into them.
        await graph.root()
      },
      catch: (e) => e
    }).pipe(
      Effect.catch((e) => Effect.sync(() => onError(e))),
      Effect.andThen(Effect.sync(() => session.checkIdle()))
    )
  })

export interface Options {
  /** Idle isolates kept per memory limit (default 2); 0 makes a new isolate for every execution. */
  readonly pool?: number
}

export const backend = (options: Options = {}): Effect.Effect<Backend, SandboxUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const ivm = yield* Effect.tryPromise({
      try: async () => {
        const mod = (await import("isolated-vm")) as unknown as { default?: Ivm } & Ivm
        const ivm = mod.default ?? mod
        // Load the native addon now, so a missing binary fails the layer rather than the first execution.
        new ivm.Isolate({ memoryLimit: 8 }).dispose()
        return ivm
      },
      catch: (cause) =>
        new SandboxUnavailable({
          backend: "isolate",
          message: `isolated-vm could not be loaded (${String(
            (cause as Error)?.message ?? cause
          )}); it needs Node >= 24 with a prebuilt binary for this platform, or use the quickjs layer`,
          cause
        })
    })
    const installer = Installer.make(ivm, setup)
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Pool.make(installer.newIsolate, installer.current, options.pool ?? 2, prepare(installer))
      ),
      (pool) => Effect.sync(() => pool.close())
    )
    return {
      name: "isolate",
      rawFirst: true,
      run: (program: Program, session: Session) => run(ivm, pool, installer, program, session)
    }
  })
