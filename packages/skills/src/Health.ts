/**
 * What is wrong with a skill's files. A corrupt stats.json, a SKILL.md whose front matter cannot
 * be read, or a version file that stats.json (or the numbering) says exists but is gone is never
 * read as "no runs", "no description" or "the previous version": it is reported, and the store
 * changes nothing of that skill until a person fixes or deletes the file (or removes the skill).
 */
import { Effect } from "effect"
import type { Disk } from "./Disk.ts"
import { type Problem, SkillCorrupt } from "./Errors.ts"
import type * as SkillMd from "./SkillMd.ts"
import * as Stats from "./Stats.ts"

export interface Inspected {
  /** Version files present, ascending. */
  readonly versions: ReadonlyArray<number>
  /** Empty when stats.json is corrupt (see `problems`). */
  readonly stats: Stats.StatsFile
  readonly statsOk: boolean
  /** Undefined when there is no SKILL.md. */
  readonly doc: SkillMd.SkillDoc | undefined
  /** Versions stats.json or the numbering says were saved, whose files are gone. */
  readonly missing: ReadonlyArray<number>
  readonly problems: ReadonlyArray<Problem>
  /** The problems a save would overwrite or build on (all but a missing SKILL.md, which it writes). */
  readonly blocksSave: ReadonlyArray<Problem>
}

/** Versions that were saved but whose file is gone: numbers run from 1 without gaps. */
export const missingVersions = (stats: Stats.StatsFile, present: ReadonlyArray<number>): Array<number> => {
  const have = new Set(present)
  const known = new Set<number>()
  for (const key of Object.keys(stats.versions)) {
    const v = Number(key)
    if (Number.isSafeInteger(v) && v >= 1) known.add(v)
  }
  if (stats.index) known.add(stats.index.version)
  const top = Math.max(0, ...present, ...known)
  const out: Array<number> = []
  for (let v = 1; v <= top; v++) if (!have.has(v)) out.push(v)
  return out
}

export const inspect = Effect.fnUntraced(function* (disk: Disk, name: string) {
  const versions = yield* disk.listVersions(name)
  const parsed = yield* disk.readStats(name)
  const doc = yield* disk.readDoc(name)
  const file = (f: string) => `skills/${name}/${f}`
  const problems: Array<Problem> = []
  const stats = parsed._tag === "Ok" ? parsed.stats : Stats.empty
  if (parsed._tag === "Corrupt") {
    problems.push({
      file: file("stats.json"),
      message: `${parsed.message}; fix it, or delete it to start the run statistics again`
    })
  }
  if (doc?.problem !== undefined) {
    problems.push({ file: file("SKILL.md"), message: `${doc.problem}; fix its front matter` })
  }
  const mdMissing: Problem | undefined =
    doc === undefined && versions.length > 0
      ? { file: file("SKILL.md"), message: "missing; the next save writes it again" }
      : undefined
  if (mdMissing) problems.push(mdMissing)
  const missing = missingVersions(stats, versions)
  for (const v of missing) {
    problems.push({
      file: file(`versions/${v}.ts`),
      message: "missing: the version was saved but its file is gone; restore it, or remove the skill"
    })
  }
  const blocksSave = problems.filter((p) => p !== mdMissing)
  return {
    versions,
    stats,
    statsOk: parsed._tag === "Ok",
    doc,
    missing,
    problems,
    blocksSave
  } satisfies Inspected
})

export const corrupt = (name: string, problems: ReadonlyArray<Problem>, doing: string) =>
  new SkillCorrupt({
    name,
    problems,
    message: `skill "${name}" has corrupt files, so ${doing} changed nothing: ${problems
      .map((p) => `${p.file}: ${p.message}`)
      .join(" / ")}`
  })
