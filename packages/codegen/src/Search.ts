/**
 * Tool search over names, titles, server names, parameter names and descriptions, ranked by
 * @tta/search's FieldIndex (BM25F over stemmed terms; synonyms common to tool APIs, so "open a
 * ticket" finds `create_issue`; a tool whose name the query covers whole ranks first).
 */
import { FieldIndex } from "@tta/search"
import { Effect } from "effect"
import { type Catalog, check } from "./Catalog.ts"
import { type InvalidCatalog, InvalidSearchOptions } from "./Errors.ts"
import { signature } from "./Signature.ts"
import { plan, type ToolEntry, toolFile } from "./Tree.ts"

/**
 * `name` (default): names and path; `signature`: plus the call as one line of TypeScript;
 * `description`: plus title and description; `full`: plus the tool file's source.
 */
export type Detail = "name" | "signature" | "description" | "full"
const details: ReadonlyArray<Detail> = ["name", "signature", "description", "full"]

export interface SearchOptions {
  readonly detail?: Detail | undefined
  /** Most results to return (default 10). */
  readonly limit?: number | undefined
}

export interface SearchResult {
  /** Original MCP server name. */
  readonly server: string
  /** Original MCP tool name. */
  readonly tool: string
  /** Exported function name in the generated tree. */
  readonly name: string
  /** Path of the tool file in the generated tree. */
  readonly path: string
  /** Path of the module to import from (the server's index.ts). */
  readonly importPath: string
  readonly score: number
  /** `listDirectory(input: { path: string }): Promise<unknown>` (detail `signature` and up). */
  readonly signature?: string
  readonly title?: string
  readonly description?: string
  readonly source?: string
}

/** Field weights: a tool's own name says most about what it does. */
export const fields = { name: 3, title: 2, server: 1.5, params: 0.5, description: 1 } as const

const parameterNames = (schema: { readonly [key: string]: unknown }): string => {
  const props = schema.properties
  return typeof props === "object" && props !== null && !Array.isArray(props)
    ? Object.keys(props).join(" ")
    : ""
}

/** A prebuilt search index over one catalog. Build once, search many times. */
export class SearchIndex {
  readonly entries: ReadonlyArray<ToolEntry>
  readonly importPaths: ReadonlyArray<string>
  readonly engine: FieldIndex.FieldIndex<keyof typeof fields>
  readonly #sources = new Map<number, string>()
  readonly #signatures = new Map<number, string>()

  constructor(catalog: Catalog) {
    const entries: Array<ToolEntry> = []
    const importPaths: Array<string> = []
    for (const server of plan(catalog).servers)
      for (const entry of server.tools) {
        entries.push(entry)
        importPaths.push(`servers/${server.directory}/index.ts`)
      }
    this.entries = entries
    this.importPaths = importPaths
    this.engine = FieldIndex.make({ fields, nameField: "name" })
    entries.forEach((e, id) => {
      this.engine.add(id, {
        name: e.tool.name,
        title: e.tool.title ?? e.tool.annotations?.title ?? "",
        server: e.server.name,
        params: parameterNames(e.tool.inputSchema),
        description: e.tool.description ?? ""
      })
    })
  }

  /** The one-line signature of tool `id`, rendered on first use. */
  signature(id: number): string {
    let text = this.#signatures.get(id)
    if (text === undefined) {
      text = signature(this.entries[id]!)
      this.#signatures.set(id, text)
    }
    return text
  }

  /** The generated source of tool `id`, rendered on first use. */
  source(id: number): string {
    let text = this.#sources.get(id)
    if (text === undefined) {
      text = toolFile(this.entries[id]!)
      this.#sources.set(id, text)
    }
    return text
  }
}

/** Builds the index for a catalog; fails with `InvalidCatalog` naming the bad field. */
export const buildIndex = (catalog: Catalog): Effect.Effect<SearchIndex, InvalidCatalog> =>
  Effect.suspend(() => {
    const error = check(catalog)
    return error ? Effect.fail(error) : Effect.succeed(new SearchIndex(catalog))
  })

/** `buildIndex` without Effect: throws `InvalidCatalog`. */
export const buildIndexSync = (catalog: Catalog): SearchIndex => {
  const error = check(catalog)
  if (error) throw error
  return new SearchIndex(catalog)
}

// Catalogs passed directly are indexed once; a catalog must not be mutated after its first search.
const indexes = new WeakMap<object, SearchIndex>()

const indexOf = (source: Catalog | SearchIndex): SearchIndex => {
  if (source instanceof SearchIndex) return source
  let index = indexes.get(source)
  if (index === undefined) {
    index = buildIndexSync(source)
    indexes.set(source, index)
  }
  return index
}

const checkOptions = (query: unknown, options: SearchOptions): InvalidSearchOptions | undefined => {
  if (typeof query !== "string")
    return new InvalidSearchOptions({
      option: "query",
      message: `query: expected a string, got ${typeof query}`
    })
  const { detail, limit } = options
  if (detail !== undefined && !details.includes(detail))
    return new InvalidSearchOptions({
      option: "detail",
      message: `detail: expected "name", "signature", "description" or "full", got ${JSON.stringify(detail)}`
    })
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    return new InvalidSearchOptions({
      option: "limit",
      message: `limit: expected a positive integer, got ${String(limit)}`
    })
  return undefined
}

const result = (index: SearchIndex, id: number, score: number, detail: Detail): SearchResult => {
  const e = index.entries[id]!
  const base = {
    server: e.server.name,
    tool: e.tool.name,
    name: e.identifier,
    path: e.path,
    importPath: index.importPaths[id]!,
    score
  }
  if (detail === "name") return base
  const withSignature = { ...base, signature: index.signature(id) }
  if (detail === "signature") return withSignature
  const title = e.tool.title ?? e.tool.annotations?.title
  const withText = {
    ...withSignature,
    ...(title !== undefined ? { title } : {}),
    description: e.tool.description ?? ""
  }
  return detail === "full" ? { ...withText, source: index.source(id) } : withText
}

/**
 * Ranked tools for a query. Equal scores are ordered by server then tool name (code-unit order),
 * so results are stable. An empty query lists tools in that order. Throws `InvalidCatalog` or
 * `InvalidSearchOptions`.
 */
export const searchTools = (
  source: Catalog | SearchIndex,
  query: string,
  options: SearchOptions = {}
): ReadonlyArray<SearchResult> => {
  const error = checkOptions(query, options)
  if (error) throw error
  const index = indexOf(source)
  const detail = options.detail ?? "name"
  const limit = options.limit ?? 10
  if (query.trim() === "") return index.entries.slice(0, limit).map((_, id) => result(index, id, 0, detail))
  // Entries are in (server, tool) order, so their ids break ties.
  return index.engine.search(query, limit).map((h) => result(index, h.id, h.score, detail))
}

/** `searchTools` as an Effect. */
export const search = (
  source: Catalog | SearchIndex,
  query: string,
  options: SearchOptions = {}
): Effect.Effect<ReadonlyArray<SearchResult>, InvalidCatalog | InvalidSearchOptions> =>
  Effect.suspend(() => {
    const error = checkOptions(query, options) ?? (source instanceof SearchIndex ? undefined : check(source))
    return error ? Effect.fail(error) : Effect.succeed(searchTools(source, query, options))
  })
