/**
 * The skill store: code skills kept as plain files a person can read and edit, versioned,
 * measured and found again. This module is the service and its layer; the work is done by
 * Disk (layout, shared reads, lock), Reader (get, list, mount), Writer (save, versions, remove),
 * Runs (run statistics) and SkillSearch (ranked search).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Context, Effect, type FileSystem, Layer, type Path } from "effect"
import * as Disk from "./Disk.ts"
import type { SkillCorrupt, SkillInvalid, SkillNotFound, SkillStoreError } from "./Errors.ts"
import type {
  Options,
  SaveInput,
  SaveOptions,
  SearchHit,
  Skill,
  SkillSummary,
  VersionSelector
} from "./Model.ts"
import * as Reader from "./Reader.ts"
import * as Runs from "./Runs.ts"
import * as SkillSearch from "./SkillSearch.ts"
import type * as Stats from "./Stats.ts"
import * as Writer from "./Writer.ts"

export type {
  Options,
  SaveInput,
  SaveOptions,
  SearchHit,
  Skill,
  SkillSummary,
  ValidateInput,
  Validator,
  VersionSelector
} from "./Model.ts"

export class SkillStore extends Context.Service<
  SkillStore,
  {
    /** Validates and stores a new version; returns it (with the version number it got). */
    readonly save: (
      input: SaveInput,
      options?: SaveOptions
    ) => Effect.Effect<Skill, SkillInvalid | SkillCorrupt | SkillStoreError>
    /** A version of a skill: `"best"` (default, what index.ts holds), `"latest"` or a number. */
    readonly get: (
      name: string,
      options?: { readonly version?: VersionSelector | undefined }
    ) => Effect.Effect<Skill, SkillNotFound | SkillInvalid | SkillCorrupt | SkillStoreError>
    readonly list: () => Effect.Effect<ReadonlyArray<SkillSummary>, SkillStoreError>
    /** Ranked full-text search over name, description and tags (prefix and fuzzy matching). */
    readonly search: (
      query: string,
      options?: { readonly limit?: number | undefined }
    ) => Effect.Effect<ReadonlyArray<SearchHit>, SkillStoreError>
    readonly remove: (name: string) => Effect.Effect<void, SkillNotFound | SkillInvalid | SkillStoreError>
    /** Adds one run to a version's statistics; may change the chosen version. */
    readonly recordRun: (
      name: string,
      version: number,
      run: Stats.Run
    ) => Effect.Effect<Stats.VersionStats, SkillNotFound | SkillInvalid | SkillCorrupt | SkillStoreError>
    /** The tree to mount in a sandbox: `skills/<name>/index.ts` and `skills/<name>/SKILL.md`. */
    readonly files: () => Effect.Effect<Record<string, string>, SkillStoreError>
  }
>()("@tta/skills/SkillStore") {
  /** The store rooted at `options.root`, on whatever `FileSystem` and `Path` are provided. */
  static readonly layer = (
    options: Options
  ): Layer.Layer<SkillStore, SkillStoreError, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(SkillStore, make(options))

  /** The store on Node's filesystem. */
  static readonly layerNode = (options: Options): Layer.Layer<SkillStore, SkillStoreError> =>
    SkillStore.layer(options).pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)))
}

const make = Effect.fnUntraced(function* (options: Options) {
  const disk = yield* Disk.make(options)
  const index = SkillSearch.make(disk, options.searchRescanMs ?? 1000)
  const writer = Writer.make(disk, { saved: index.indexSkill, removed: index.discard })
  const reader = Reader.make(disk, writer)
  const recordRun = Runs.make(disk, writer)

  return SkillStore.of({
    save: Effect.fn("SkillStore.save")(function* (input: SaveInput, saveOptions?: SaveOptions) {
      const { version, state } = yield* writer.save(input, saveOptions?.validate ?? options.validate)
      return yield* reader.toSkill(input.name, state, version, input.code)
    }),
    get: Effect.fn("SkillStore.get")(reader.get),
    list: Effect.fn("SkillStore.list")(reader.list),
    search: Effect.fn("SkillStore.search")(function* (
      query: string,
      options?: { readonly limit?: number | undefined }
    ) {
      const limit = Math.max(1, Math.min(options?.limit ?? 10, 100))
      // A few spare hits: a skill removed by another process since the last rescan is skipped.
      const hits = yield* index.ranked(query, limit * 2)
      const out: Array<SearchHit> = []
      for (const hit of hits) {
        if (out.length >= limit) break
        const summary = yield* reader.summaryOf(hit.name)
        if (summary) out.push({ ...summary, score: hit.score })
      }
      return out
    }),
    remove: Effect.fn("SkillStore.remove")(writer.remove),
    recordRun: Effect.fn("SkillStore.recordRun")(recordRun),
    files: Effect.fn("SkillStore.files")(reader.files)
  })
})
