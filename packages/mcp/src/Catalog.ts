/**
 * The tool catalog: plain data in the MCP `Tool` shape, the contract between @tta/mcp (which
 * produces it) and @tta/codegen (which turns it into a typed file tree).
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js"

export interface ToolAnnotations {
  readonly title?: string
  readonly readOnlyHint?: boolean
  readonly destructiveHint?: boolean
  readonly idempotentHint?: boolean
  readonly openWorldHint?: boolean
}

export interface CatalogTool {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly inputSchema: Readonly<Record<string, unknown>>
  readonly outputSchema?: Readonly<Record<string, unknown>>
  readonly annotations?: ToolAnnotations
}

export interface CatalogServer {
  readonly name: string
  /**
   * `serverInfo.version` as the server reported it at `initialize`, when it did: what it returns
   * may change with it (code-mode keeps learned output types per version).
   */
  readonly version?: string
  readonly tools: ReadonlyArray<CatalogTool>
  /** Set when the server could not be reached; `tools` is then empty. */
  readonly error?: string
}

export interface Catalog {
  readonly servers: ReadonlyArray<CatalogServer>
}

/** Keeps only the catalog fields of an SDK `Tool` (drops `_meta`, `icons`, `execution`...). */
export const fromTool = (tool: Tool): CatalogTool => {
  const a = tool.annotations
  const annotations: ToolAnnotations | undefined =
    a === undefined
      ? undefined
      : {
          ...(a.title === undefined ? {} : { title: a.title }),
          ...(a.readOnlyHint === undefined ? {} : { readOnlyHint: a.readOnlyHint }),
          ...(a.destructiveHint === undefined ? {} : { destructiveHint: a.destructiveHint }),
          ...(a.idempotentHint === undefined ? {} : { idempotentHint: a.idempotentHint }),
          ...(a.openWorldHint === undefined ? {} : { openWorldHint: a.openWorldHint })
        }
  return {
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
    ...(annotations === undefined ? {} : { annotations })
  }
}
