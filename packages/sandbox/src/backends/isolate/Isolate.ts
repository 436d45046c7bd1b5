import { Effect } from "effect"
import type IsolatedVM from "isolated-vm"
import type { Backend, Session } from "../../Backend.ts"
import { CodeError, type LimitName, SandboxUnavailable, thrownValue } from "../../Errors.ts"
import { exceeded } from "../../Limits.ts"
import { preludeSource } from "../../Prelude.ts"
import { entryName, type Program, resolveSpecifier, unresolvedMessage } from "../../Program.ts"
import { importFunction, rewriteDynamicImports } from "./DynamicImport.ts"

type Ivm = typeof IsolatedVM

const rootName = "<tta:root>"
const importName = "<tta:import>"
const cpuPollMs = 5

class ImportFailure extends Error {
  readonly from: string
  constructor(message: string, from: string) {
    super(message)
    this.from = from
  }
}

// ivm copies an error thrown in the isolate out as a host Error; a non-Error throw arrives as is.
export const toCodeError = (e: unknown): CodeError => {
  if (e instanceof ImportFailure) {
    return new CodeError({
      name: "Error",
      message: e.message,
      stack: `Error: ${e.message}\n    at ${e.from}`
    })
  }
  if (e instanceof Error && /^An object was thrown from supplied code within isolated-vm/.test(e.message)) {
    return new CodeError({
      name: "ThrownValue",
      message: "the code threw a value that is not an Error (an object, which isolated-vm does not pass out)",
      stack: ""
    })
  }
  if (e instanceof Error) {
    const raw = e.stack ?? `${e.name}: ${e.message}`
    // Host frames below the boundary are ours, not the agent's: drop them.
    const cut = raw.indexOf("\n    at (<isolated-vm boundary>)")
    const stack = cut === -1 ? raw : raw.slice(0, cut)
    const named = /^([A-Za-z_$][\w$]*): /.exec(stack)?.[1]
    return new CodeError({ name: named ?? e.name, message: e.message, stack })
  }
  return thrownValue(e)
}

const run = (
  ivm: Ivm,
  program: Program,
  session: Session
): Effect.Effect<void, never, import("effect").Scope.Scope> =>
  Effect.gen(function* () {
    const { limits } = session
    const isolate = yield* Effect.acquireRelease(
      Effect.sync(() => new ivm.Isolate({ memoryLimit: Math.max(8, limits.memoryMb) })),
      (iso) =>
        Effect.sync(() => {
          if (!iso.isDisposed) iso.dispose()
        })
    )
    let killedBy: LimitName | undefined
    // Settles when a limit kills the isolate. Work in the isolate is awaited against it: a call
    // into the isolate may never return after a kill (isolated-vm copying a thrown Proxy whose
    // traps loop swallows the termination), and the execution must end at the limit all the same.
    let stop: () => void = () => undefined
    const stopped = new Promise<void>((resolve) => {
      stop = resolve
    })
    const untilStopped = (work: Promise<unknown>) => {
      work.catch(() => undefined)
      return Promise.race([work, stopped])
    }
    const kill = (limit: LimitName) => {
      if (killedBy !== undefined) return
      killedBy = limit
      stop()
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

    const watchdog = setInterval(() => {
      if (isolate.isDisposed) return
      if (Number(isolate.cpuTime) / 1e6 > limits.cpuTimeMs) kill("cpuTime")
    }, cpuPollMs)
    watchdog.unref()
    yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(watchdog)))

    let dynamicImport: (id: number, from: string, specifier: string) => void = () => undefined
    yield* Effect.tryPromise({
      try: async () => {
        const context = await isolate.createContext()
        const send = new ivm.Reference((kind: string, a: unknown, b: unknown, c: unknown) =>
          kind === "import"
            ? dynamicImport(a as number, String(b), String(c))
            : session.receive(kind, a, b, c)
        )
        const dispatch: IsolatedVM.Reference<
          (kind: number, id: number, ok?: boolean, payload?: string) => void
        > = await context.evalClosure(
          `const send = (k, a, b, c) => $0.applySync(undefined, [k, a, b, c]);
            const h = ${preludeSource}(globalThis, send, $1, $2);
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
            return (kind, id, ok, payload) => kind === 0 ? h.settle(id, ok, payload) : kind === 1 ? h.fire(id) : refuse(id, payload);`,
          [send, session.hostNames, limits.outputBytes],
          { arguments: { copy: true }, result: { reference: true }, filename: "<tta:prelude>" }
        )
        const afterTurn = () => undefined
        session.attach({
          settle: (id, ok, payload) =>
            dispatch.apply(undefined, [0, id, ok, payload]).then(afterTurn, onError),
          fire: (id) => dispatch.apply(undefined, [1, id]).then(afterTurn, onError)
        })

        const paths = new Map<IsolatedVM.Module, string>()
        const modules = new Map<string, IsolatedVM.Module>()
        // An `import()` is a one-line module importing the target, linked here, evaluated by V8.
        const importers = new Map<IsolatedVM.Module, string>()
        const load = (path: string): IsolatedVM.Module => {
          let m = modules.get(path)
          if (m === undefined) {
            m = isolate.compileModuleSync(rewriteDynamicImports(program.modules.get(path)!, path), {
              filename: path
            })
            modules.set(path, m)
            paths.set(m, path)
          }
          return m
        }
        const resolve = (specifier: string, referrer: IsolatedVM.Module) => {
          const target = importers.get(referrer)
          if (target !== undefined) return load(target)
          const from = paths.get(referrer) ?? entryName
          if (from === rootName) return load(entryName)
          const path = resolveSpecifier(specifier, from, (p) => program.modules.has(p))
          if (path === undefined) throw new ImportFailure(unresolvedMessage(specifier, from), from)
          return load(path)
        }
        dynamicImport = (id, from, specifier) => {
          const path = resolveSpecifier(specifier, from, (p) => program.modules.has(p))
          const work = (async () => {
            if (path === undefined) {
              return dispatch.apply(undefined, [2, id, false, unresolvedMessage(specifier, from)])
            }
            const importer = isolate.compileModuleSync(
              `import * as ns from "${path}"; __tta_imported(${id}, ns)`,
              {
                filename: importName
              }
            )
            importers.set(importer, path)
            try {
              await importer.instantiate(context, resolve)
            } catch (e) {
              // A module it imports cannot be found: the import() rejects, the code may catch it.
              await dispatch.apply(undefined, [2, id, false, toCodeError(e).message])
              return
            }
            await untilStopped(importer.evaluate())
          })()
          session.track(work.then(afterTurn, onError))
        }
        const root = isolate.compileModuleSync(`import * as ns from "${entryName}"; __tta_finish(ns)`, {
          filename: rootName
        })
        paths.set(root, rootName)
        await root.instantiate(context, resolve)
        // The result arrives through __tta_finish; failures after an await surface as an
        // unhandled rejection thrown out of whichever later turn (settle/fire) ran into them.
        await untilStopped(root.evaluate())
      },
      catch: (e) => e
    }).pipe(
      Effect.catch((e) => Effect.sync(() => onError(e))),
      Effect.andThen(Effect.sync(() => session.checkIdle()))
    )
  })

export const backend = (): Effect.Effect<Backend, SandboxUnavailable> =>
  Effect.tryPromise({
    try: async () => {
      const mod = (await import("isolated-vm")) as unknown as { default?: Ivm } & Ivm
      const ivm = mod.default ?? mod
      // Load the native addon now, so a missing binary fails the layer rather than the first execution.
      new ivm.Isolate({ memoryLimit: 8 }).dispose()
      return { name: "isolate", run: (program: Program, session: Session) => run(ivm, program, session) }
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
