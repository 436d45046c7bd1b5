/**
 * Tool search over names, descriptions and parameter names, ranked with MiniSearch (BM25 with
 * prefix and fuzzy matching). The tokenizer and options are exported so that other packages
 * (skills) can index with the same library and get the same behaviour.
 */
import { Effect } from "effect"
import MiniSearch, { type SearchOptions as MiniSearchOptions, type Options } from "minisearch"
import { type Catalog, check } from "./Catalog.ts"
import { type InvalidCatalog, InvalidSearchOptions } from "./Errors.ts"
import { plan, type ToolEntry, toolFile } from "./Tree.ts"

export type Detail = "name" | "description" | "full"

export interface SearchOptions {
  /** `name` (default): names and path; `description`: plus the description; `full`: plus the tool file's source. */
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
  readonly title?: string
  readonly description?: string
  readonly source?: string
}

const stopWords = new Set(
  "a an and are as at be by for from in into is it of on or the this that to with".split(" ")
)

/** Words of a text: runs of letters/digits, split again at camelCase boundaries. */
export const tokenize = (text: string): Array<string> => {
  const out: Array<string> = []
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu))
    for (const part of match[0].split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u))
      out.push(part)
  return out
}

/** Lower-cases a term and drops stop words. */
export const processTerm = (term: string): string | null => {
  const t = term.toLowerCase()
  return stopWords.has(t) ? null : t
}

/** Query-time options: prefix matching, fuzzy matching for longer words, field boosts. */
export const searchOptions: MiniSearchOptions = {
  boost: { name: 3, title: 2, params: 1.5, server: 1, description: 1 },
  prefix: (term) => term.length >= 3,
  fuzzy: (term) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
  combineWith: "OR"
}

interface Doc {
  readonly id: number
  readonly name: string
  readonly title: string
  readonly server: string
  readonly params: string
  readonly description: string
}

/**
 * Tokenizer, term processing and query options for any MiniSearch index that should behave like
 * tool search: `new MiniSearch({ ...miniSearchOptions, fields: [...] })`.
 */
export const miniSearchOptions: Pick<Options, "tokenize" | "processTerm" | "searchOptions"> = {
  tokenize,
  processTerm,
  searchOptions
}

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
  readonly engine: MiniSearch<Doc>
  readonly #sources = new Map<number, string>()

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
    this.engine = new MiniSearch<Doc>({
      ...miniSearchOptions,
      fields: ["name", "title", "server", "params", "description"]
    })
    this.engine.addAll(
      entries.map((e, id) => ({
        id,
        name: e.tool.name,
        title: e.tool.title ?? e.tool.annotations?.title ?? "",
        server: e.server.name,
        params: parameterNames(e.tool.inputSchema),
        description: e.tool.description ?? ""
      }))
    )
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
  if (detail !== undefined && detail !== "name" && detail !== "description" && detail !== "full")
    return new InvalidSearchOptions({
      option: "detail",
      message: `detail: expected "name", "description" or "full", got ${JSON.stringify(detail)}`
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
  const title = e.tool.title ?? e.tool.annotations?.title
  const withText = {
    ...base,
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
  const hits = index.engine
    .search(query)
    .map((h) => ({ id: h.id as number, score: h.score }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
  return hits.slice(0, limit).map((h) => result(index, h.id, h.score, detail))
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
