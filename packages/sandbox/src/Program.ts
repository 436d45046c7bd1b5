import { stripTypeScriptTypes } from "node:module"
import { Effect } from "effect"
import { CodeError, InvalidRequest } from "./Errors.ts"
import { StrippedModules } from "./Stripped.ts"

/** The module name the agent's code runs as; mounted files are resolved relative to it. */
export const entryName = "agent.ts"

/**
 * Agent code and mounted files, types stripped, keyed by normalised path ("servers/fs/index.ts").
 * A mounted code file is stripped when first read (`get`): it may throw its CodeError then.
 */
export interface Program {
  readonly modules: ReadonlyMap<string, string>
  /** A file as it was given, types and all (the agent's code: `entryName`). */
  readonly source: (path: string) => string | undefined
}

/**
 * Whether code might be plain JavaScript that means the same stripped or not, so that a backend may
 * compile it as written first and strip only if that fails. TypeScript that is also valid
 * JavaScript with another meaning needs a \`<\` (a type argument: \`f<T>(x)\` parses as comparisons);
 * every other piece of type syntax is a syntax error in a JavaScript module.
 */
export const mayBePlainJs = (source: string): boolean => !source.includes("<")

// Stripping is ~0.1 ms per file, but a mounted API tree has hundreds of files that rarely change
// between executions, so keep the stripped text of recent sources.
const cache = new Map<string, string>()
const cacheMax = 4096

// Throws the CodeError (for a mounted file, read lazily by a backend).
const stripNow = (path: string, source: string): string => {
  const hit = cache.get(source)
  if (hit !== undefined) return hit
  try {
    // "strip" mode replaces types with spaces, so line and column numbers stay those the agent wrote.
    const out = stripTypeScriptTypes(source, { mode: "strip" })
    if (cache.size >= cacheMax) cache.delete(cache.keys().next().value as string)
    cache.set(source, out)
    return out
  } catch (e) {
    const err = e as Error & { code?: string }
    const line = /^:(\d+)/.exec(err.stack ?? "")?.[1]
    const where = line === undefined ? path : `${path}:${line}`
    throw new CodeError({
      name: "SyntaxError",
      message: `${where}: ${err.message}`,
      stack: `SyntaxError: ${err.message}\n    at ${where}`
    })
  }
}

const strip = (path: string, source: string): Effect.Effect<string, CodeError> =>
  Effect.try({ try: () => stripNow(path, source), catch: (e) => e as CodeError })

/** Checks a mounted path and returns it in the form modules are keyed by. */
export const normalizePath = (path: string): string | undefined => {
  if (path.includes("\\") || path.includes("\0")) return undefined
  const parts: Array<string> = []
  for (const part of path.replace(/^\.?\//, "").split("/")) {
    if (part === "" || part === ".") continue
    if (part === "..") return undefined
    parts.push(part)
  }
  return parts.length === 0 ? undefined : parts.join("/")
}

export const prepare = Effect.fnUntraced(function* (
  code: string,
  files: Readonly<Record<string, string>> | undefined,
  options: { readonly stripEntry?: boolean } = {}
): Effect.fn.Return<Program, CodeError | InvalidRequest> {
  // Final now: the agent's code (stripped, so its syntax errors come before a run; unless the
  // backend compiles it as written first) and files that are not code; mounted code files are
  // stripped when a backend first reads them.
  const ready = new Map<string, string>()
  const sources = new Map<string, string>()
  if (options.stripEntry !== false) ready.set(entryName, yield* strip(entryName, code))
  sources.set(entryName, code)
  for (const [raw, source] of Object.entries(files ?? {})) {
    const path = normalizePath(raw)
    if (path === undefined || path === entryName) {
      return yield* new InvalidRequest({
        field: `files["${raw}"]`,
        message: `files["${raw}"]: a mounted path must be relative, inside the root, without ".." and not "${entryName}"`
      })
    }
    if (typeof source !== "string") {
      return yield* new InvalidRequest({
        field: `files["${raw}"]`,
        message: `files["${raw}"]: the source must be a string`
      })
    }
    sources.set(path, source)
    // Only code is compiled; other mounted files (SKILL.md, data) are kept as they are.
    if (!/\.(ts|mts|tsx)$/.test(path)) ready.set(path, source)
  }
  return { modules: new StrippedModules(sources, ready, stripNow), source: (path) => sources.get(path) }
})

/**
 * Resolves an import specifier against the module that imports it. Self-contained (no outer
 * references) because the E2B runner embeds its source text.
 */
export function resolveSpecifier(
  specifier: string,
  referrer: string,
  has: (path: string) => boolean
): string | undefined {
  if (!/^\.{0,2}\//.test(specifier)) return undefined
  const base = specifier.startsWith("/") ? [] : referrer.split("/").slice(0, -1)
  for (const part of specifier.split("/")) {
    if (part === "" || part === ".") continue
    if (part === "..") {
      if (base.length === 0) return undefined
      base.pop()
    } else base.push(part)
  }
  const path = base.join("/")
  for (const candidate of [path, `${path}.ts`, `${path}/index.ts`, `${path}.js`, `${path}/index.js`]) {
    if (/\.(ts|mts|js|mjs)$/.test(candidate) && has(candidate)) return candidate
  }
  return undefined
}

export const unresolvedMessage = (specifier: string, referrer: string): string =>
  `Cannot import "${specifier}" from ${referrer}: only the mounted files can be imported, by relative path (for example "./servers/<server>/index.ts")`
