/**
 * The tool catalog: plain data in the MCP `Tool` shape, as @tta/mcp produces it.
 * Optional fields accept `undefined` so catalogs typed by the MCP SDK fit without copying.
 */
import { Effect } from "effect"
import { InvalidCatalog } from "./Errors.ts"
import type { Learned } from "./Shape.ts"

/** A JSON Schema as it arrives over MCP: any JSON value, usually an object. */
export type JsonSchema = boolean | { readonly [key: string]: unknown }

export interface ToolAnnotations {
  readonly title?: string | undefined
  readonly readOnlyHint?: boolean | undefined
  readonly destructiveHint?: boolean | undefined
  readonly idempotentHint?: boolean | undefined
  readonly openWorldHint?: boolean | undefined
}

export interface Tool {
  readonly name: string
  readonly title?: string | undefined
  readonly description?: string | undefined
  readonly inputSchema: { readonly [key: string]: unknown }
  readonly outputSchema?: { readonly [key: string]: unknown } | undefined
  readonly annotations?: ToolAnnotations | undefined
  /**
   * What its results looked like, for a tool that declares no outputSchema (see Shape.ts): the
   * generated file then gives an inferred output type instead of `unknown`.
   */
  readonly learnedOutput?: Learned | undefined
}

export interface Server {
  readonly name: string
  /** The version the server reports (`serverInfo.version`), when known; codegen does not use it. */
  readonly version?: string | undefined
  readonly tools: ReadonlyArray<Tool>
}

export interface Catalog {
  readonly servers: ReadonlyArray<Server>
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const show = (u: unknown): string => {
  if (u === undefined) return "nothing"
  if (Array.isArray(u)) return "an array"
  if (u === null) return "null"
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)
  return typeof u === "object" ? "an object" : `${typeof u} ${String(u)}`
}

const fail = (path: string, what: string, got: unknown) =>
  new InvalidCatalog({ path, message: `${path}: expected ${what}, got ${show(got)}` })

/**
 * Checks the structure the generator relies on (names, lists, schema containers). Schema
 * contents are never rejected: what the converter cannot express becomes `unknown`.
 */
export const check = (catalog: unknown): InvalidCatalog | undefined => {
  if (!isRecord(catalog)) return fail("catalog", "an object with a `servers` array", catalog)
  const servers = catalog.servers
  if (!Array.isArray(servers)) return fail("catalog.servers", "an array", servers)
  const serverNames = new Set<string>()
  for (let i = 0; i < servers.length; i++) {
    const server: unknown = servers[i]
    const at = `catalog.servers[${i}]`
    if (!isRecord(server)) return fail(at, "an object", server)
    if (typeof server.name !== "string" || server.name.length === 0)
      return fail(`${at}.name`, "a non-empty string", server.name)
    if (serverNames.has(server.name))
      return new InvalidCatalog({
        path: `${at}.name`,
        message: `${at}.name: server "${server.name}" appears twice in the catalog`
      })
    serverNames.add(server.name)
    const where = ` (server "${server.name}")`
    if (!Array.isArray(server.tools)) return fail(`${at}.tools`, `an array${where}`, server.tools)
    const toolNames = new Set<string>()
    for (let j = 0; j < server.tools.length; j++) {
      const tool: unknown = server.tools[j]
      const tat = `${at}.tools[${j}]`
      if (!isRecord(tool)) return fail(tat, `an object${where}`, tool)
      if (typeof tool.name !== "string" || tool.name.length === 0)
        return fail(`${tat}.name`, `a non-empty string${where}`, tool.name)
      const named = ` (server "${server.name}", tool "${tool.name}")`
      if (toolNames.has(tool.name))
        return new InvalidCatalog({
          path: `${tat}.name`,
          message: `${tat}.name: tool "${tool.name}" appears twice on server "${server.name}"`
        })
      toolNames.add(tool.name)
      if (!isRecord(tool.inputSchema))
        return fail(`${tat}.inputSchema`, `a JSON Schema object${named}`, tool.inputSchema)
      if (tool.outputSchema !== undefined && !isRecord(tool.outputSchema))
        return fail(`${tat}.outputSchema`, `a JSON Schema object${named}`, tool.outputSchema)
      for (const key of ["title", "description"] as const)
        if (tool[key] !== undefined && typeof tool[key] !== "string")
          return fail(`${tat}.${key}`, `a string${named}`, tool[key])
      if (tool.annotations !== undefined && !isRecord(tool.annotations))
        return fail(`${tat}.annotations`, `an object${named}`, tool.annotations)
    }
  }
  return undefined
}

/** Validates an unknown value as a catalog. */
export const validate = (catalog: unknown): Effect.Effect<Catalog, InvalidCatalog> => {
  const error = check(catalog)
  return error ? Effect.fail(error) : Effect.succeed(catalog as Catalog)
}
