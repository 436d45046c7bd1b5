/**
 * @tta/codegen: an MCP tool catalog → a typed, importable file tree and a tool search.
 */

export type { Catalog as ToolCatalog, Server, Tool } from "./Catalog.ts"
export * as Catalog from "./Catalog.ts"
export * as Errors from "./Errors.ts"
export { InvalidCatalog, InvalidSearchOptions } from "./Errors.ts"
export * as Naming from "./Naming.ts"
export * as SchemaType from "./SchemaType.ts"
export * as Search from "./Search.ts"
export { buildIndex, buildIndexSync, SearchIndex, type SearchResult, search, searchTools } from "./Search.ts"
export * as Shape from "./Shape.ts"
export * as Signature from "./Signature.ts"
export * as Tree from "./Tree.ts"
export { type FileTree, generate, generateSync } from "./Tree.ts"
