/**
 * Type-checks agent code against the generated API before it runs, so a wrong argument comes back
 * as a line-numbered error before any tool is called. TypeScript 7 has no JS compiler API, so this
 * uses TypeScript 5.9's LanguageService in-process; it is kept warm between executions, so only the
 * agent's file is re-checked when the API tree has not changed.
 */

import { dirname } from "node:path"
import { type MissingPeerDependency, OptionalPeer } from "@tta/sandbox"
import * as Effect from "effect/Effect"
import type ts from "typescript-api"
import * as TypeScriptApi from "./TypeScriptApi.ts"

export interface TypeDiagnostic {
  readonly line: number
  readonly column: number
  readonly code: number
  readonly message: string
}

/** What sandboxed code may use besides the mounted files: the ES library and these globals. */
export const sandboxGlobals = `
interface Console {
  log(...data: unknown[]): void
  info(...data: unknown[]): void
  warn(...data: unknown[]): void
  error(...data: unknown[]): void
  debug(...data: unknown[]): void
}
declare var console: Console
declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): number
declare function clearTimeout(id: number | undefined): void
declare function structuredClone<T>(value: T): T
declare var host: Record<string, (...args: unknown[]) => Promise<unknown>>
`

const root = "/sandbox/"
const mainFile = `${root}agent.ts`
const globalsFile = `${root}__globals.d.ts`

// The checker is ~9 MB of JavaScript: loaded when the first session that type-checks is made, never
// by `tta --help` or a run with type-checking off.
const load = TypeScriptApi.load

const compilerOptions = (ts: typeof import("typescript-api")): ts.CompilerOptions => ({
  target: ts.ScriptTarget.ES2024,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2024.d.ts"],
  types: [],
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  isolatedModules: true
})

export interface Checker {
  /** Replaces the mounted files (the API tree, skills, workspace helpers). Cheap when unchanged. */
  readonly setFiles: (files: Readonly<Record<string, string>>) => void
  /** Errors in `code` (the agent's module), with 1-based lines as the agent wrote them. */
  readonly check: (code: string) => ReadonlyArray<TypeDiagnostic>
  /**
   * Errors in `code` checked as the mounted file `path` (e.g. `skills/<name>/index.ts`, so its
   * relative imports resolve as they will when mounted), in place of that file's mounted text.
   */
  readonly checkFile: (path: string, code: string) => ReadonlyArray<TypeDiagnostic>
}

export const make = (): Checker => {
  const ts = load()
  const options = compilerOptions(ts)
  const files = new Map<string, { text: string; version: number }>()
  const libCache = new Map<string, string | undefined>()
  const libDir = dirname(ts.getDefaultLibFilePath(options))
  let scriptNames: Array<string> = []
  let projectVersion = 0

  const put = (path: string, text: string) => {
    const existing = files.get(path)
    if (existing?.text === text) return false
    files.set(path, { text, version: (existing?.version ?? 0) + 1 })
    return true
  }
  put(globalsFile, sandboxGlobals)
  put(mainFile, "")

  const readLib = (path: string): string | undefined => {
    if (!libCache.has(path)) libCache.set(path, ts.sys.readFile(path))
    return libCache.get(path)
  }

  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getProjectVersion: () => String(projectVersion),
    getScriptFileNames: () => scriptNames,
    getScriptVersion: (path) => String(files.get(path)?.version ?? 0),
    getScriptSnapshot: (path) => {
      const text = files.get(path)?.text ?? (path.startsWith(libDir) ? readLib(path) : undefined)
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text)
    },
    getCurrentDirectory: () => root,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (path) => files.has(path) || (path.startsWith(libDir) && readLib(path) !== undefined),
    readFile: (path) => files.get(path)?.text ?? (path.startsWith(libDir) ? readLib(path) : undefined),
    directoryExists: (dir) =>
      dir.startsWith(libDir) ||
      [...files.keys()].some((f) => f.startsWith(dir.endsWith("/") ? dir : `${dir}/`)),
    getDirectories: () => []
  }
  const service = ts.createLanguageService(host, ts.createDocumentRegistry())

  const setFiles = (mounted: Readonly<Record<string, string>>) => {
    let changed = false
    const wanted = new Set([globalsFile, mainFile])
    for (const [path, text] of Object.entries(mounted)) {
      if (!path.endsWith(".ts")) continue
      const full = `${root}${path.replace(/^\.?\//, "")}`
      wanted.add(full)
      changed = put(full, text) || changed
    }
    for (const path of [...files.keys()]) {
      if (!wanted.has(path)) {
        files.delete(path)
        changed = true
      }
    }
    if (changed || scriptNames.length === 0) {
      scriptNames = [...wanted].sort()
      projectVersion++
    }
  }

  const checkAt = (file: string, code: string): ReadonlyArray<TypeDiagnostic> => {
    if (scriptNames.length === 0) setFiles({})
    if (put(file, code)) projectVersion++
    if (!scriptNames.includes(file)) {
      // Until the next setFiles, which drops it again unless it is mounted.
      scriptNames = [...scriptNames, file].sort()
      projectVersion++
    }
    const diagnostics = [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)]
    return diagnostics
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => {
        const pos =
          d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
        return {
          line: (pos?.line ?? 0) + 1,
          column: (pos?.character ?? 0) + 1,
          code: d.code,
          message: ts.flattenDiagnosticMessageText(d.messageText, "\n")
        }
      })
  }

  return {
    setFiles,
    check: (code) => checkAt(mainFile, code),
    checkFile: (path, code) => checkAt(`${root}${path.replace(/^\.?\//, "")}`, code)
  }
}

/** `agent.ts:3:14 - error TS2322: ...` lines, as tsc prints them. */
export const format = (diagnostics: ReadonlyArray<TypeDiagnostic>, file = "agent.ts"): string =>
  diagnostics.map((d) => `${file}:${d.line}:${d.column} - error TS${d.code}: ${d.message}`).join("\n")

/**
 * The checker a session gets for its `typeCheck` option: `false`, none; `true`, one, or
 * `MissingPeerDependency` naming the TypeScript to install; unset, one when TypeScript 5.9+ with its
 * compiler API is installed, else none (the code then runs unchecked).
 */
export const resolve = (
  typeCheck: boolean | undefined
): Effect.Effect<Checker | undefined, MissingPeerDependency> =>
  Effect.suspend(() => {
    if (typeCheck === false) return Effect.undefined
    if (TypeScriptApi.available()) return Effect.sync(make)
    return typeCheck === true ? Effect.fail(OptionalPeer.missing(TypeScriptApi.peer)) : Effect.undefined
  })
