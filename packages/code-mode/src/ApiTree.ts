/**
 * A session's generated API: the file tree, search index and tool annotations made from McpHub's
 * catalog, cached, and made again on first use after a server's tool list changes.
 */
import type { FileTree, SearchIndex, ToolCatalog } from "@tta/codegen"
import { Search, Tree } from "@tta/codegen"
import type { McpHub } from "@tta/mcp"
import { Effect, Ref, Semaphore, Stream } from "effect"
import { CodeModeError } from "./CodeMode.ts"
import type { LearnedTypes } from "./LearnedTypes.ts"
import type * as Policy from "./Policy.ts"
import * as ResourceApi from "./ResourceApi.ts"

export interface Api {
  readonly catalog: ToolCatalog
  readonly tree: FileTree
  readonly index: SearchIndex
  readonly annotations: ReadonlyMap<string, Policy.ToolAnnotations | undefined>
  /** The learned types' generation this tree was made with. */
  readonly learnedAt: number
}

/** The session's API, generated on first use; lives (and follows list changes) while the scope is open. */
export const make = Effect.fnUntraced(function* (hub: McpHub["Service"], learned?: LearnedTypes) {
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
      // A tool's learned output type that reads differently now makes the tree again.
      const learnedAt = learned?.generation() ?? 0
      if (cached && cached.learnedAt === learnedAt) return cached
      const started = yield* Ref.get(generation)
      const listed = (yield* hub.catalog()) as ToolCatalog
      const catalog = learned ? learned.decorate(listed) : listed
      const tree = yield* Tree.generate(catalog).pipe(
        Effect.mapError((e) => new CodeModeError({ operation: "generate API", message: e.message }))
      )
      // Servers' resources, readable from code (servers/<server>/resources.ts).
      const resources = yield* ResourceApi.files(hub, catalog)
      const index = Search.buildIndexSync(catalog)
      const annotations = new Map(
        catalog.servers.flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t.annotations] as const))
      )
      const fresh: Api = { catalog, tree: { ...tree, ...resources }, index, annotations, learnedAt }
      if ((yield* Ref.get(generation)) === started) yield* Ref.set(apiRef, fresh)
      return fresh
    })
  )
  return api
})
