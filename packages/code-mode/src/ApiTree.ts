/**
 * A session's generated API: the file tree, search index and tool annotations made from McpHub's
 * catalog, cached, and made again on first use after a server's tool list changes.
 */
import type { FileTree, SearchIndex, ToolCatalog } from "@tta/codegen"
import { Search, Tree } from "@tta/codegen"
import type { McpHub } from "@tta/mcp"
import { Effect, Ref, Semaphore, Stream } from "effect"
import { CodeModeError } from "./CodeMode.ts"
import type * as Policy from "./Policy.ts"

export interface Api {
  readonly catalog: ToolCatalog
  readonly tree: FileTree
  readonly index: SearchIndex
  readonly annotations: ReadonlyMap<string, Policy.ToolAnnotations | undefined>
}

/** The session's API, generated on first use; lives (and follows list changes) while the scope is open. */
export const make = Effect.fnUntraced(function* (hub: McpHub["Service"]) {
  const apiRef = yield* Ref.make<Api | undefined>(undefined)
  // Bumped on every list change, so a tree generated while a change arrived is not cached.
  const generation = yield* Ref.make(0)
  const apiLock = yield* Semaphore.make(1)

  // A server whose tool list changed gets a fresh tree on the next use.
  const changes = yield* hub.subscribeChanges
  yield* Stream.fromSubscription(changes).pipe(
    Stream.runForEach(() =>
      Effect.andThen(
        Ref.update(generation, (n) => n + 1),
        Ref.set(apiRef, undefined)
      )
    ),
    Effect.forkScoped
  )

  const api: Effect.Effect<Api, CodeModeError> = apiLock.withPermits(1)(
    Effect.gen(function* () {
      const cached = yield* Ref.get(apiRef)
      if (cached) return cached
      const started = yield* Ref.get(generation)
      const catalog = (yield* hub.catalog()) as ToolCatalog
      const tree = yield* Tree.generate(catalog).pipe(
        Effect.mapError((e) => new CodeModeError({ operation: "generate API", message: e.message }))
      )
      const index = Search.buildIndexSync(catalog)
      const annotations = new Map(
        catalog.servers.flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t.annotations] as const))
      )
      const fresh: Api = { catalog, tree, index, annotations }
      if ((yield* Ref.get(generation)) === started) yield* Ref.set(apiRef, fresh)
      return fresh
    })
  )
  return api
})
