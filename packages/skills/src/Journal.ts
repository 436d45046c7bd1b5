/**
 * The change journal: `skills/.changes`, one skill name per line, appended (O_APPEND, a few bytes)
 * after every change a store makes — a save, a new chosen version, a recorded run, a removal — in
 * any process. A warm view stats it on each call (one stat when nothing changed) and reloads only
 * the skills named since its last look. When the file grows past `compactBytes` it is replaced by
 * an empty one (new inode), which tells every view to rescan instead.
 */
import { statSync } from "node:fs"
import { Effect, Option } from "effect"
import * as AtomicFile from "./AtomicFile.ts"
import type { Disk } from "./Disk.ts"
import { SkillStoreError } from "./Errors.ts"

export const fileName = ".changes"
const compactBytes = 256 * 1024

export interface Position {
  /**
   * Which journal file this is — inode and birth time, so an inode reused by a later file is not
   * taken for the old one (a new file means: rescan); undefined when there is none.
   */
  readonly ino: string | undefined
  readonly size: number
}

const pathOf = (disk: Disk) => disk.path.join(disk.skillsDir, fileName)

/** Records that `name` changed. Never fails the change itself: a view also rescans periodically. */
export const append = (disk: Disk, name: string): Effect.Effect<void> =>
  Effect.gen(function* () {
    const file = pathOf(disk)
    yield* disk.fs.writeFileString(file, `${name}\n`, { flag: "a" })
    const info = yield* disk.fs.stat(file)
    if (Number(info.size) > compactBytes) yield* AtomicFile.write(disk.fs, disk.skillsDir, file, "", false)
  }).pipe(
    Effect.catch((e) => Effect.logWarning(`skills: could not note a change of "${name}": ${e.message}`))
  )

/**
 * Where the journal ends now. This one stat is all a warm call costs, so it is a synchronous
 * `statSync` (about 2 µs) rather than effect's async stat: the thread-pool round trip of an async
 * stat costs several times the stat itself, and far more on a loaded machine (see bench/results.md).
 */
export const position = (disk: Disk): Effect.Effect<Position, SkillStoreError> =>
  Effect.suspend(() => {
    const file = pathOf(disk)
    try {
      const info = statSync(file, { throwIfNoEntry: false })
      return Effect.succeed(
        info === undefined ? none : { ino: `${info.ino}:${info.birthtimeMs}`, size: info.size }
      )
    } catch (e) {
      return Effect.fail(
        new SkillStoreError({ operation: "stat", path: file, message: (e as Error).message })
      )
    }
  })

const none: Position = { ino: undefined, size: 0 }

/** The names appended between `from` and `to` (whole lines only) and how far they reach. */
export const read = (disk: Disk, from: number, to: number) =>
  disk
    .io(
      "read",
      pathOf(disk)
    )(
      Effect.scoped(
        Effect.gen(function* () {
          const file = yield* disk.fs.open(pathOf(disk), { flag: "r" })
          yield* file.seek(BigInt(from), "start")
          const bytes = Option.getOrUndefined(yield* file.readAlloc(to - from))
          const text = bytes === undefined ? "" : new TextDecoder().decode(bytes)
          const end = text.lastIndexOf("\n") + 1
          return {
            names: [...new Set(text.slice(0, end).split("\n"))].filter((n) => n.length > 0),
            next: from + new TextEncoder().encode(text.slice(0, end)).length
          }
        })
      )
    )
    .pipe(
      Effect.catchTag("SkillStoreError", () => Effect.succeed(undefined)) // replaced meanwhile: rescan
    )
