import { Effect } from "effect"
import type IsolatedVM from "isolated-vm"
import type { Backend, Session } from "../../Backend.ts"
import { CodeError, type LimitName, SandboxUnavailable, thrownValue } from "../../Errors.ts"
import { exceeded } from "../../Limits.ts"
import { preludeSource } from "../../Prelude.ts"
import { entryName, type Program, resolveSpecifier, unresolvedMessage } from "../../Program.ts"

type Ivm = typeof IsolatedVM

const rootName = "<tta:root>"
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
    const kill = (limit: LimitName) => {
      if (killedBy !== undefined) return
      killedBy = limit
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

    yield* Effect.tryPromise({
      try: async () => {
        const context = await isolate.createContext()
        const send = new ivm.Reference((kind: string, a: unknown, b: unknown, c: unknown) =>
          session.receive(kind, a, b, c)
        )
        const dispatch: IsolatedVM.Reference<
          (kind: number, id: number, ok?: boolean, payload?: string) => void
        > = await context.evalClosure(
          `const send = (k, a, b, c) => $0.applySync(undefined, [k, a, b, c]);
            const h = ${preludeSource}(globalThis, send, $1, $2);
            Object.defineProperty(globalThis, "__tta_finish", { value: (ns) => h.finish(ns) });
            return (kind, id, ok, payload) => kind === 0 ? h.settle(id, ok, payload) : h.fire(id);`,
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
        const load = (path: string): IsolatedVM.Module => {
          let m = modules.get(path)
          if (m === undefined) {
            m = isolate.compileModuleSync(program.modules.get(path)!, { filename: path })
            modules.set(path, m)
            paths.set(m, path)
          }
          return m
        }
        const root = isolate.compileModuleSync(`import * as ns from "${entryName}"; __tta_finish(ns)`, {
          filename: rootName
        })
        paths.set(root, rootName)
        await root.instantiate(context, (specifier, referrer) => {
          const from = paths.get(referrer) ?? entryName
          if (from === rootName) return load(entryName)
          const path = resolveSpecifier(specifier, from, (p) => program.modules.has(p))
          if (path === undefined) throw new ImportFailure(unresolvedMessage(specifier, from), from)
          return load(path)
        })
        // The result arrives through __tta_finish; failures after an await surface as an
        // unhandled rejection thrown out of whichever later turn (settle/fire) ran into them.
        await root.evaluate()
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
