/**
 * The statistics path: one run of a version is added to stats.json under the skill's lock, and
 * index.ts (with SKILL.md's signature block) follows when the evidence changes the best version.
 */
import { Effect } from "effect"
import { type Disk, emptyDoc, fail } from "./Disk.ts"
import { SkillInvalid, SkillNotFound } from "./Errors.ts"
import * as Health from "./Health.ts"
import * as Journal from "./Journal.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"
import type { Writer } from "./Writer.ts"

export const make = (disk: Disk, writer: Writer) =>
  Effect.fnUntraced(function* (name: string, version: number, run: Stats.Run) {
    yield* fail(Validate.name(name))
    yield* fail(Validate.version(version))
    yield* fail(Validate.durationMs(run.durationMs))
    if (typeof run.ok !== "boolean") {
      return yield* new SkillInvalid({ field: "ok", message: "ok must be a boolean" })
    }
    const at = yield* disk.now
    return yield* disk.locked(
      name,
      false,
      Effect.gen(function* () {
        const seen = yield* Health.inspect(disk, name)
        const { versions } = seen
        if (seen.problems.length > 0 && (versions.length > 0 || seen.missing.length > 0)) {
          return yield* Health.corrupt(name, seen.problems, "recording a run")
        }
        if (!versions.includes(version)) {
          return yield* new SkillNotFound({
            name,
            version,
            message:
              versions.length === 0
                ? `skill "${name}" not found`
                : `skill "${name}" has no version ${version} (versions 1-${versions.at(-1)})`
          })
        }
        const before = seen.stats
        const stats = Stats.withRun(before, version, run, at)
        const chosen = Stats.best(stats, versions, disk.minRuns) ?? version
        if (chosen !== before.index?.version) {
          const code = yield* disk.readVersion(name, chosen)
          const mdText = yield* disk.readText(disk.fileOf(name, "SKILL.md"))
          if (code !== undefined) {
            yield* writer.publish(name, stats, chosen, code, seen.doc ?? emptyDoc, mdText)
            return Stats.summarize(stats, version)
          }
        }
        yield* disk.write(disk.fileOf(name, "stats.json"), Stats.render(stats), disk.dirOf(name))
        yield* Journal.append(disk, name)
        return Stats.summarize(stats, version)
      })
    )
  })
