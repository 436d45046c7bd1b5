/**
 * The read path: get, list and the sandbox mount. Reads never trust memory over the disk: they
 * look at file identities (mtime, size, inode) and re-read what changed, so edits by hand and by
 * other processes are picked up. A read also brings index.ts in line with the evidence and adopts
 * a hand-edited index.ts as a new version (through the writer, under the skill's lock).
 */
import { Effect } from "effect"
import * as Code from "./Code.ts"
import { type Disk, fail, notFound, type State, sha256 } from "./Disk.ts"
import { SkillInvalid, SkillNotFound } from "./Errors.ts"
import type { Skill, SkillSummary, VersionSelector } from "./Model.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"
import type { Writer } from "./Writer.ts"

export type Reader = ReturnType<typeof make>

/** Keeps index.ts and the derived files in line with the versions, the evidence and hand edits. */
const makeReconcile = (disk: Disk, writer: Writer) => {
  const { fileOf } = disk

  /**
   * Brings index.ts in line with the evidence and adopts hand edits: index.ts whose content
   * is none of the versions becomes a new version (if it parses).
   */
  const reconcile = Effect.fnUntraced(function* (name: string) {
    const memo = disk.memoOf(name)
    const versions = yield* disk.listVersions(name)
    const stats = yield* disk.readStats(name)
    const chosen = Stats.best(stats, versions, disk.minRuns)
    const indexPath = fileOf(name, "index.ts")
    const key = yield* disk.fileKey(indexPath)
    if (chosen !== undefined && key !== undefined && stats.index?.version === chosen) {
      if (memo.indexKey === key && memo.indexVersion === chosen)
        return { versions, stats, chosen } satisfies State
      const text = yield* disk.readText(indexPath)
      if (text !== undefined) {
        const sha = sha256(text)
        if (sha === stats.index.sha256 || sha === memo.rejected) {
          if (sha === stats.index.sha256) {
            memo.indexKey = key
            memo.indexVersion = chosen
          }
          return { versions, stats, chosen } satisfies State
        }
      }
    }
    if (chosen === undefined && key === undefined) return yield* notFound(name)
    return yield* disk.locked(name, false, repair(name))
  })

  /** Under the lock: adopt a hand edit of index.ts, or republish the chosen version. */
  const repair = Effect.fnUntraced(function* (name: string) {
    const memo = disk.memoOf(name)
    const versions = yield* disk.listVersions(name)
    const stats = yield* disk.readStats(name)
    const text = yield* disk.readText(fileOf(name, "index.ts"))
    const doc = yield* disk.readDoc(name)
    if (text !== undefined && sha256(text) !== memo.rejected) {
      const sha = sha256(text)
      let known = stats.index?.sha256 === sha
      for (let i = versions.length - 1; !known && i >= 0; i--) {
        known = (yield* disk.readVersion(name, versions[i] as number)) === text
      }
      if (!known) {
        const checked = Code.check(text, `skills/${name}/index.ts`)
        if (checked instanceof SkillInvalid) {
          memo.rejected = sha
          yield* Effect.logWarning(
            `skills/${name}/index.ts was edited by hand but is not kept as a version: ${checked.message}`
          )
        } else {
          const { state } = yield* writer.commit(name, {
            description: doc.description || `${name} (edited by hand)`,
            tags: doc.tags,
            usage: undefined,
            code: text
          })
          return state
        }
      }
    }
    const chosen = Stats.best(stats, versions, disk.minRuns)
    if (chosen === undefined) return yield* notFound(name)
    const code = yield* disk.readVersion(name, chosen)
    if (code === undefined) {
      return yield* new SkillNotFound({
        name,
        version: chosen,
        message: `skill "${name}" has no version ${chosen}`
      })
    }
    const mdText = yield* disk.readText(fileOf(name, "SKILL.md"))
    // A hand edit that does not parse stays on disk for its author until the choice changes.
    const keepsEdit = text !== undefined && sha256(text) === memo.rejected
    const current =
      stats.index?.version === chosen && stats.index.sha256 === sha256(code) && (text === code || keepsEdit)
    const published = current ? stats : yield* writer.publish(name, stats, chosen, code, doc, mdText)
    return { versions, stats: published, chosen } satisfies State
  })

  return reconcile
}

export const make = (disk: Disk, writer: Writer) => {
  const { fileOf } = disk
  const reconcile = makeReconcile(disk, writer)

  const toSkill = Effect.fnUntraced(function* (name: string, state: State, version: number, code: string) {
    const doc = yield* disk.readDoc(name)
    return {
      name,
      description: doc.description,
      tags: doc.tags,
      usage: doc.usage,
      version,
      code,
      signatures: disk.signaturesOf(name, code),
      latest: state.versions.at(-1) ?? version,
      chosen: state.chosen,
      stats: Stats.summarize(state.stats, version),
      versions: state.versions.map((v) => Stats.summarize(state.stats, v))
    } satisfies Skill
  })

  const summaryOf = Effect.fnUntraced(function* (name: string) {
    let versions = yield* disk.listVersions(name)
    if (versions.length === 0) {
      // A skill a person created by hand (SKILL.md + index.ts) is adopted as version 1.
      const index = yield* disk.fileKey(fileOf(name, "index.ts"))
      if (index === undefined) return undefined
      const adopted = yield* reconcile(name).pipe(
        Effect.catchTag("SkillNotFound", () => Effect.succeed(undefined))
      )
      if (adopted === undefined) return undefined
      versions = [...adopted.versions]
    }
    const stats = yield* disk.readStats(name)
    const doc = yield* disk.readDoc(name)
    let runs = 0
    let failures = 0
    for (const v of versions) {
      const r = Stats.recordOf(stats, v)
      runs += r.runs
      failures += r.failures
    }
    return {
      name,
      description: doc.description,
      tags: doc.tags,
      latest: versions.at(-1) ?? 0,
      chosen: Stats.best(stats, versions, disk.minRuns) ?? 0,
      runs,
      failures
    } satisfies SkillSummary
  })

  const get = Effect.fnUntraced(function* (
    name: string,
    options?: { readonly version?: VersionSelector | undefined }
  ) {
    yield* fail(Validate.name(name))
    const selector = options?.version ?? "best"
    if (typeof selector === "number") yield* fail(Validate.version(selector))
    const state = yield* reconcile(name)
    const version =
      selector === "best" ? state.chosen : selector === "latest" ? (state.versions.at(-1) ?? 0) : selector
    const code = state.versions.includes(version) ? yield* disk.readVersion(name, version) : undefined
    if (code === undefined) {
      return yield* new SkillNotFound({
        name,
        version,
        message: `skill "${name}" has no version ${version} (versions 1-${state.versions.at(-1) ?? 0})`
      })
    }
    return yield* toSkill(name, state, version, code)
  })

  const list = Effect.fnUntraced(function* () {
    const names = yield* disk.skillNames
    const summaries = yield* Effect.forEach(names, summaryOf, { concurrency: 16 })
    return summaries.filter((s): s is SkillSummary => s !== undefined)
  })

  /** `skills/<name>/index.ts` (the chosen version) and `skills/<name>/SKILL.md` of every skill. */
  const files = Effect.fnUntraced(function* () {
    const names = yield* disk.skillNames
    const out: Record<string, string> = {}
    yield* Effect.forEach(
      names,
      (name) =>
        Effect.gen(function* () {
          const state = yield* reconcile(name)
          const code = yield* disk.readVersion(name, state.chosen)
          const md = yield* disk.readText(fileOf(name, "SKILL.md"))
          if (code === undefined) return
          out[`skills/${name}/index.ts`] = code
          out[`skills/${name}/SKILL.md`] = md ?? ""
        }).pipe(Effect.catchTag("SkillNotFound", () => Effect.void)),
      { concurrency: 16, discard: true }
    )
    return out
  })

  return { reconcile, toSkill, summaryOf, get, list, files }
}
