/**
 * Listings merged across the servers that declare a capability: all pages at once (for lookups),
 * or one page at a time with a gateway cursor that says where the next page starts.
 */
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js"
import type { McpHub } from "@tta/mcp"
import { Effect } from "effect"
import { rpcError } from "./Routes.ts"

export type Hub = McpHub["Service"]
export type Capability = "resources" | "prompts" | "completions" | "logging"

/** Servers that declare `capability`, in config order; ones that cannot start are left out. */
export const serversWith = (hub: Hub, capability: Capability) =>
  Effect.filter(hub.servers, (server) =>
    hub.passthrough.info(server).pipe(
      Effect.map((info) => info.capabilities[capability] !== undefined),
      Effect.orElseSucceed(() => false)
    )
  )

/** Every page of one listing of every server that has the capability. */
export const listAll = <A>(
  hub: Hub,
  capability: Capability,
  page: (
    server: string,
    cursor: string | undefined
  ) => Effect.Effect<{ items: ReadonlyArray<A>; next?: string | undefined }, unknown>
) =>
  Effect.flatMap(serversWith(hub, capability), (servers) =>
    Effect.forEach(servers, (server) =>
      Effect.gen(function* () {
        const items: Array<A> = []
        let cursor: string | undefined
        do {
          const p = yield* page(server, cursor)
          items.push(...p.items)
          cursor = p.next
        } while (cursor !== undefined)
        return items.map((item) => ({ server, item }))
      })
    ).pipe(Effect.map((lists) => lists.flat()))
  )

/** A gateway cursor: which server (by position) and that server's own cursor. */
interface Cursor {
  readonly s: number
  readonly c?: string | undefined
}
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url")
const decodeCursor = (cursor: string) =>
  Effect.try({
    try: () => {
      const c = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Cursor
      if (typeof c.s !== "number" || (c.c !== undefined && typeof c.c !== "string")) throw new Error("shape")
      return c
    },
    catch: () => rpcError(ErrorCode.InvalidParams, `Invalid cursor: ${cursor}`)
  })

/**
 * One page of a merged listing: one page of one server at a time, in config order, the cursor
 * saying where the next page starts (servers with nothing to list are skipped).
 */
export const listPage = <A>(
  hub: Hub,
  capability: Capability,
  page: (
    server: string,
    cursor: string | undefined
  ) => Effect.Effect<{ items: ReadonlyArray<A>; next?: string | undefined }, unknown>,
  cursor: string | undefined
) =>
  Effect.gen(function* () {
    const servers = yield* serversWith(hub, capability)
    let at: Cursor = cursor === undefined ? { s: 0 } : yield* decodeCursor(cursor)
    while (at.s < servers.length) {
      const server = servers[at.s]!
      const p = yield* page(server, at.c)
      const next: Cursor = p.next === undefined ? { s: at.s + 1 } : { s: at.s, c: p.next }
      const more = next.s < servers.length
      if (p.items.length > 0 || !more) {
        return {
          items: p.items.map((item) => ({ server, item })),
          ...(more ? { nextCursor: encodeCursor(next) } : {})
        }
      }
      at = next
    }
    return { items: [] as Array<{ server: string; item: A }> }
  })
