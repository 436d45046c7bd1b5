/**
 * The skill store: code skills kept as plain files a person can read and edit, versioned,
 * measured and found again. This module is the service and its layer; the work is done by
 * Disk (layout, shared reads, lock), Reader (get, list, mount), Writer (save, versions, remove),
 * Runs (run statistics) and SkillSearch (ranked search).
 */
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import { Context, Effect, type FileSystem, Layer, type Path } from "effect"
import * as Disk from "./Disk.ts"
import type { SkillCorrupt, SkillInvalid, SkillNotFound, SkillStoreError } from "./Errors.ts"
import type * as Model from "./Model.ts"
import * as Reader from "./Reader.ts"
import * as Runs from "./Runs.ts"
import type * as Stats from "./Stats.ts"
import * as View from "./View.ts"
import * as Writer from "./Writer.ts"

export type * from "./Model.ts"

export class SkillStore extends Context.Service<
  SkillStore,
  {
    /** Validates and stores a new version; returns it (with the version number it got). */
    readonly save: (
      input: Model.SaveInput,
      options?: Model.SaveOptions
    ) => Effect.Effect<Model.Skill, SkillInvalid | SkillCorrupt | SkillStoreError>
    /** A version of a skill: `"best"` (default, what index.ts holds), `"latest"` or a number. */
    readonly get: (
      name: string,
      options?: { readonly version?: Model.VersionSelector | undefined }
    ) => Effect.Effect<Model.Skill, SkillNotFound | SkillInvalid | SkillCorrupt | SkillStoreError>
    readonly list: () => Effect.Effect<ReadonlyArray<Model.SkillSummary>, SkillStoreError>
    /** Ranked full-text search over name, description and tags (prefix and fuzzy matching). */
    readonly search: (
      query: string,
      options?: { readonly limit?: number | undefined }
    ) => Effect.Effect<ReadonlyArray<Model.SearchHit>, SkillStoreError>
    readonly remove: (name: string) => Effect.Effect<void, SkillNotFound | SkillInvalid | SkillStoreError>
    /** Adds one run to a version's statistics; may change the chosen version. */
    readonly recordRun: (
      name: string,
      version: number,
      run: Stats.Run
    ) => Effect.Effect<Stats.VersionStats, SkillNotFound | SkillInvalid | SkillCorrupt | SkillStoreError>
    /**
     * The tree to mount in a sandbox: `skills/<name>/index.ts` and `skills/<name>/SKILL.md`, of
     * every skill, or with `only` of those skills and the skills they import (see
     * `Code.importedSkills`, which also finds the skills agent code imports).
     */
    readonly files: (options?: {
      readonly only?: ReadonlyArray<string> | undefined
    }) => Effect.Effect<Readonly<Record<string, string>>, SkillStoreError>
  }
>()("@tta/skills/SkillStore") {
  /** The store rooted at `options.root`, on whatever `FileSystem` and `Path` are provided. */
  static readonly layer = (
    options: Model.Options
  ): Layer.Layer<SkillStore, SkillStoreError, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(SkillStore, make(options))

  /** The store on Node's filesystem. */
  static readonly layerNode = (options: Model.Options): Layer.Layer<SkillStore, SkillStoreError> =>
    SkillStore.layer(options).pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)))
}

const make = Effect.fnUntraced(function* (options: Model.Options) {
  const disk = yield* Disk.make(options)
  const writer = Writer.make(disk)
  const reader = Reader.make(disk, writer)
  const recordRun = Runs.make(disk, writer)
  const view = View.make(
    disk,
    reader,
    yield* Effect.scope,
    options.rescanMs ?? options.searchRescanMs ?? 1000
  )

  return SkillStore.of({
    save: Effect.fn("SkillStore.save")(function* (input: Model.SaveInput, saveOptions?: Model.SaveOptions) {
      const { version, state } = yield* writer.save(input, saveOptions?.validate ?? options.validate)
      return yield* reader.toSkill(input.name, state, version, input.code)
    }),
    get: Effect.fn("SkillStore.get")(reader.get),
    list: Effect.fn("SkillStore.list")(() => view.list),
    search: Effect.fn("SkillStore.search")(
      (query: string, options?: { readonly limit?: number | undefined }) =>
        view.search(query, Math.max(1, Math.min(options?.limit ?? 10, 100)))
    ),
    remove: Effect.fn("SkillStore.remove")(writer.remove),
    recordRun: Effect.fn("SkillStore.recordRun")(recordRun),
    files: Effect.fn("SkillStore.files")((options?: { readonly only?: ReadonlyArray<string> | undefined }) =>
      options?.only === undefined ? view.files : view.filesOf(options.only)
    )
  })
})
