/**
 * The read path: get, list and the sandbox mount. Reads never trust memory over the disk: they
 * look at file identities (mtime, size, inode) and re-read what changed, so edits by hand and by
 * other processes are picked up. A read also brings index.ts in line with the evidence and adopts
 * a hand-edited index.ts as a new version (through the writer, under the skill's lock) — unless
 * the skill has corrupt files (see Health), which are reported and left as they are.
 */
import { Effect } from "effect"
import * as Code from "./Code.ts"
import { type Disk, emptyDoc, fail, notFound, type State, sha256 } from "./Disk.ts"
import { SkillInvalid, SkillNotFound } from "./Errors.ts"
import * as Health from "./Health.ts"
import type { Skill, SkillSummary, VersionSelector } from "./Model.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"
import type { Writer } from "./Writer.ts"

export type Reader = ReturnType<typeof make>

/** Keeps index.ts and the derived files in line with the versions, the evidence and hand edits. */
const makeReconcile = (disk: Disk, writer: Writer) => {
  const { fileOf } = disk

  /**
   * A skill with corrupt files is read as it is: the chosen version is what the evidence says
   * (or, with stats.json unreadable, the version index.ts holds), even when its file is gone.
   */
  const frozen = Effect.fnUntraced(function* (name: string, seen: Health.Inspected) {
    const { versions, stats, missing, problems } = seen
    if (seen.statsOk) {
      const chosen = Stats.best(
        stats,
        [...versions, ...missing].sort((a, b) => a - b),
        disk.minRuns
      )
      if (chosen !== undefined) return { versions, stats, chosen, problems } satisfies State
    }
    const text = yield* disk.readText(fileOf(name, "index.ts"))
    for (let i = versions.length - 1; text !== undefined && i >= 0; i--) {
      const v = versions[i] as number
      if ((yield* disk.readVersion(name, v)) === text)
        return { versions, stats, chosen: v, problems } satisfies State
    }
    const latest = versions.at(-1)
    if (latest === undefined && text === undefined) return yield* notFound(name)
    return { versions, stats, chosen: latest ?? 0, problems } satisfies State
  })

  /**
   * Brings index.ts in line with the evidence and adopts hand edits: index.ts whose content
   * is none of the versions becomes a new version (if it parses).
   */
  const reconcile = Effect.fnUntraced(function* (name: string) {
    const memo = disk.memoOf(name)
    const seen = yield* Health.inspect(disk, name)
    if (seen.problems.length > 0) return yield* frozen(name, seen)
    const { versions, stats } = seen
    const chosen = Stats.best(stats, versions, disk.minRuns)
    const indexPath = fileOf(name, "index.ts")
    const key = yield* disk.fileKey(indexPath)
    const state: State = { versions, stats, chosen: chosen ?? 0, problems: [] }
    if (chosen !== undefined && key !== undefined && stats.index?.version === chosen) {
      if (memo.indexKey === key && memo.indexVersion === chosen) return state
      const text = yield* disk.readText(indexPath)
      if (text !== undefined) {
        const sha = sha256(text)
        if (sha === stats.index.sha256) {
          memo.indexKey = key
          memo.indexVersion = chosen
          return { ...state, indexCode: text }
        }
        if (sha === memo.rejected) return state
      }
    }
    if (chosen === undefined && key === undefined) return yield* notFound(name)
    return yield* disk.locked(name, false, repair(name))
  })

  /** Under the lock: adopt a hand edit of index.ts, or republish the chosen version. */
  const repair = Effect.fnUntraced(function* (name: string) {
    const memo = disk.memoOf(name)
    const seen = yield* Health.inspect(disk, name)
    if (seen.problems.length > 0) return yield* frozen(name, seen)
    const { versions, stats } = seen
    const doc = seen.doc ?? emptyDoc
    const text = yield* disk.readText(fileOf(name, "index.ts"))
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
          // (Corrupted by another process since the check above: read it as it is.)
          return yield* writer
            .commit(name, {
              description: doc.description || `${name} (edited by hand)`,
              tags: doc.tags,
              usage: undefined,
              code: text
            })
            .pipe(
              Effect.map((committed) => committed.state),
              Effect.catchTag("SkillCorrupt", () =>
                Effect.flatMap(Health.inspect(disk, name), (now) => frozen(name, now))
              )
            )
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
    return { versions, stats: published, chosen, problems: [] } satisfies State
  })

  return reconcile
}

const corruptField = (state: State) => (state.problems.length > 0 ? { corrupt: state.problems } : {})

export const make = (disk: Disk, writer: Writer) => {
  const { fileOf } = disk
  const reconcile = makeReconcile(disk, writer)

  const toSkill = Effect.fnUntraced(function* (name: string, state: State, version: number, code: string) {
    const doc = (yield* disk.readDoc(name)) ?? emptyDoc
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
      versions: state.versions.map((v) => Stats.summarize(state.stats, v)),
      ...corruptField(state)
    } satisfies Skill
  })

  /**
   * What a view keeps of one skill: its summary, the code to mount (the chosen version; for a
   * skill with corrupt files, index.ts as it is) and SKILL.md. Undefined when there is no skill.
   */
  const snapshot = Effect.fnUntraced(function* (name: string) {
    const state: State | undefined = yield* reconcile(name).pipe(
      Effect.catchTag("SkillNotFound", () => Effect.succeed(undefined))
    )
    if (state === undefined) return undefined
    const found = yield* disk.readDoc(name)
    const doc = found ?? emptyDoc
    let runs = 0
    let failures = 0
    for (const v of state.versions) {
      const r = Stats.recordOf(state.stats, v)
      runs += r.runs
      failures += r.failures
    }
    const summary: SkillSummary = {
      name,
      description: doc.description,
      tags: doc.tags,
      latest: state.versions.at(-1) ?? 0,
      chosen: state.chosen,
      runs,
      failures,
      ...corruptField(state)
    }
    const code =
      state.problems.length > 0
        ? yield* disk.readText(fileOf(name, "index.ts"))
        : (state.indexCode ?? (yield* disk.readVersion(name, state.chosen)))
    // readDoc above has just checked SKILL.md's identity, so its memoised text is current.
    return { summary, doc, code, md: found === undefined ? "" : (disk.memoOf(name).mdText ?? "") }
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
      const gone = state.problems.filter((p) => p.file === `skills/${name}/versions/${version}.ts`)
      if (gone.length > 0) return yield* Health.corrupt(name, gone, `reading version ${version}`)
      return yield* new SkillNotFound({
        name,
        version,
        message: `skill "${name}" has no version ${version} (versions 1-${state.versions.at(-1) ?? 0})`
      })
    }
    return yield* toSkill(name, state, version, code)
  })

  return { reconcile, toSkill, snapshot, get }
}
