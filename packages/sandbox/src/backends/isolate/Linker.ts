import type IsolatedVM from "isolated-vm"
import { CodeError, thrownValue } from "../../Errors.ts"
import { entryName, mayBePlainJs, type Program, resolveSpecifier, unresolvedMessage } from "../../Program.ts"
import { rewriteDynamicImports } from "./DynamicImport.ts"

export const rootName = "<tta:root>"
const importName = "<tta:import>"

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

export interface LinkerDeps {
  readonly isolate: IsolatedVM.Isolate
  readonly context: IsolatedVM.Context
  readonly program: Program
  /** Calls into the sandbox's dispatch function: kind 2 rejects import `id` with a message. */
  readonly refuse: (id: number, message: string) => Promise<unknown>
  /** Runs module evaluation: awaited against a limit kill, counted as work in the isolate. */
  readonly evaluate: (module: IsolatedVM.Module) => Promise<unknown>
  /** Handles released with the execution. */
  readonly held: Array<{ release(): void }>
}

/**
 * The module graph of one execution: mounted files compiled on first import, static imports
 * resolved by path, and `import()` served by linking a one-line importer module that hands the
 * namespace to `__tta_imported` inside the isolate.
 */
export const linker = (d: LinkerDeps) => {
  const paths = new Map<IsolatedVM.Module, string>()
  const modules = new Map<string, IsolatedVM.Module>()
  const importers = new Map<IsolatedVM.Module, string>()
  const compile = (source: string, filename: string) => {
    const m = d.isolate.compileModuleSync(source, { filename })
    d.held.push(m)
    return m
  }
  // The agent's code as written when it is plain JavaScript (V8 says so in microseconds), else
  // stripped: its strip error (a CodeError naming the line) or V8's syntax error is the code's.
  const entry = () => {
    const raw = d.program.source(entryName)!
    if (mayBePlainJs(raw)) {
      try {
        return compile(rewriteDynamicImports(raw, entryName), entryName)
      } catch {
        // TypeScript, or a syntax error: the stripped code is compiled (and its error reported).
      }
    }
    return compile(rewriteDynamicImports(d.program.modules.get(entryName)!, entryName), entryName)
  }
  const load = (path: string): IsolatedVM.Module => {
    let m = modules.get(path)
    if (m === undefined) {
      m =
        path === entryName
          ? entry()
          : compile(rewriteDynamicImports(d.program.modules.get(path)!, path), path)
      modules.set(path, m)
      paths.set(m, path)
    }
    return m
  }
  const has = (p: string) => d.program.modules.has(p)
  const resolve = (specifier: string, referrer: IsolatedVM.Module) => {
    const target = importers.get(referrer)
    if (target !== undefined) return load(target)
    const from = paths.get(referrer) ?? entryName
    if (from === rootName) return load(entryName)
    const path = resolveSpecifier(specifier, from, has)
    if (path === undefined) throw new ImportFailure(unresolvedMessage(specifier, from), from)
    return load(path)
  }
  const dynamicImport = async (id: number, from: string, specifier: string): Promise<unknown> => {
    const path = resolveSpecifier(specifier, from, has)
    if (path === undefined) return d.refuse(id, unresolvedMessage(specifier, from))
    const importer = compile(`import * as ns from "${path}"; __tta_imported(${id}, ns)`, importName)
    importers.set(importer, path)
    try {
      await importer.instantiate(d.context, resolve)
    } catch (e) {
      // A module it imports cannot be found: the import() rejects, the code may catch it.
      return d.refuse(id, toCodeError(e).message)
    }
    return d.evaluate(importer)
  }
  const root = async (): Promise<unknown> => {
    const m = compile(`import * as ns from "${entryName}"; __tta_finish(ns)`, rootName)
    paths.set(m, rootName)
    // On this thread: linking runs no agent code, and a hop to the isolate's thread costs more.
    m.instantiateSync(d.context, resolve)
    return d.evaluate(m)
  }
  return { root, dynamicImport }
}
