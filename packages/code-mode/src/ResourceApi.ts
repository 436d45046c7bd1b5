/**
 * Servers' resources, readable from code: `servers/<server>/resources.ts` for each server that
 * declares resources, with `listResources()`, `readResource(uri)` and one function per resource
 * template (`{id}` placeholders become a typed parameter object). They call the `resources` host
 * function, which reads through McpHub (text tokenized for PII like tool results).
 */
import { Naming, type ToolCatalog, Tree } from "@tta/codegen"
import type { McpHub } from "@tta/mcp"
import { Effect } from "effect"
import type * as Pii from "./Pii.ts"

interface Template {
  readonly uriTemplate: string
  readonly name: string
  readonly description?: string | undefined
  readonly mimeType?: string | undefined
}

const placeholders = (template: string) => [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)

const comment = (text: string | undefined) =>
  text === undefined ? "" : `/** ${text.replaceAll("*/", "* /").replace(/\s+/g, " ").trim()} */\n`

/** The module for one server. */
export const file = (server: string, templates: ReadonlyArray<Template>): string => {
  const ids = Naming.assignUnique(
    templates.map((t) => t.name),
    (n) => Naming.identifier(`read ${n}`, "readTemplate")
  )
  const lines = [
    `/** Resources of the ${JSON.stringify(server)} server. */`,
    `declare const host: { resources(server: string, op: string, arg?: string): Promise<unknown> }`,
    "",
    "export interface Resource { uri: string; name: string; description?: string; mimeType?: string }",
    "/** A resource's contents: `text`, or `blob` (base64) for binary data. */",
    "export interface ResourceContents { uri: string; mimeType?: string; text?: string; blob?: string }",
    "",
    "/** Every resource the server lists. */",
    `export const listResources = (): Promise<Resource[]> => host.resources(${JSON.stringify(server)}, "list") as Promise<Resource[]>`,
    "/** Reads one resource by its URI. */",
    `export const readResource = (uri: string): Promise<ResourceContents[]> => host.resources(${JSON.stringify(server)}, "read", uri) as Promise<ResourceContents[]>`,
    ""
  ]
  for (const t of templates) {
    const params = placeholders(t.uriTemplate)
    const type =
      params.length === 0 ? "" : `params: { ${params.map((p) => `${JSON.stringify(p)}: string`).join("; ")} }`
    const uri = params.reduce(
      (expr, p) =>
        `${expr}.replace(${JSON.stringify(`{${p}}`)}, encodeURIComponent(params[${JSON.stringify(p)}]))`,
      JSON.stringify(t.uriTemplate)
    )
    lines.push(
      `${comment(`${t.description ?? t.name} (${t.uriTemplate})`)}export const ${ids.get(t.name)} = (${type}): Promise<ResourceContents[]> => readResource(${uri})`
    )
  }
  return `${lines.join("\n")}\n`
}

/** Every item of a paginated listing: pages are fetched until one has no `nextCursor`. */
const allPages = <A, E>(
  page: (
    cursor: string | undefined
  ) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly nextCursor?: string | undefined }, E>
): Effect.Effect<Array<A>, E> =>
  Effect.gen(function* () {
    const all: Array<A> = []
    let cursor: string | undefined
    do {
      const next = yield* page(cursor)
      all.push(...next.items)
      cursor = next.nextCursor
    } while (cursor !== undefined)
    return all
  })

/** Every page of a server's templates; none when it has no resources or cannot be reached. */
const templatesOf = (hub: McpHub["Service"], server: string) =>
  Effect.gen(function* () {
    const info = yield* hub.passthrough.info(server)
    if (info.capabilities.resources === undefined) return undefined
    return yield* allPages((cursor) =>
      Effect.map(hub.passthrough.listResourceTemplates(server, cursor), (p) => ({
        items: p.resourceTemplates as ReadonlyArray<Template>,
        nextCursor: p.nextCursor
      }))
    )
  }).pipe(Effect.orElseSucceed(() => undefined))

/** `servers/<dir>/resources.ts` for each server of the catalog that declares resources. */
export const files = (hub: McpHub["Service"], catalog: ToolCatalog) =>
  Effect.gen(function* () {
    const dirs = new Map(Tree.plan(catalog).servers.map((s) => [s.server.name, s.directory]))
    const out: Record<string, string> = {}
    for (const server of catalog.servers) {
      const templates = yield* templatesOf(hub, server.name)
      const dir = dirs.get(server.name)
      if (templates !== undefined && dir !== undefined)
        out[`servers/${dir}/resources.ts`] = file(server.name, templates)
    }
    return out
  })

/** The `resources` host function: `list` (every page) and `read`, through McpHub. */
export const hostFunction =
  (hub: McpHub["Service"], tokenizer: Pii.Tokenizer | undefined) =>
  (server: unknown, op: unknown, arg?: unknown): Effect.Effect<unknown, unknown> => {
    const s = String(server)
    const clean = <A>(value: A): A => (tokenizer ? (tokenizer.tokenize(value) as A) : value)
    if (op === "list") {
      return Effect.map(
        allPages((cursor) =>
          Effect.map(hub.passthrough.listResources(s, cursor), (p) => ({
            items: p.resources as ReadonlyArray<unknown>,
            nextCursor: p.nextCursor
          }))
        ),
        clean
      )
    }
    if (op === "read" && typeof arg === "string") {
      return Effect.map(hub.passthrough.readResource(s, arg), (r) =>
        r.contents.map((c) => ("text" in c ? { ...c, text: clean(c.text) } : c))
      )
    }
    return Effect.fail({
      _tag: "ResourceError",
      message: `resources: unknown operation ${String(op)} (list, read)`
    })
  }
