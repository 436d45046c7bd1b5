/**
 * Crash-safe file writes over effect's `FileSystem`: content always goes to a private temp file
 * first, so no reader (and no process killed mid-write) ever sees half a file.
 */
import { randomUUID } from "node:crypto"
import { Effect, type FileSystem, type PlatformError } from "effect"

/** Temp files carry the writer's pid so leftovers of a killed writer can be told apart. */
export const tempName = (dir: string) => `${dir}/.tmp-${process.pid}-${randomUUID()}`

export const tempPid = (file: string): number | undefined => {
  const m = /^\.tmp-(\d+)-/.exec(file)
  return m ? Number(m[1]) : undefined
}

const encoder = new TextEncoder()

const writeTemp = (fs: FileSystem.FileSystem, dir: string, content: string, durable: boolean) =>
  Effect.gen(function* () {
    const tmp = tempName(dir)
    yield* Effect.scoped(
      Effect.gen(function* () {
        const file = yield* fs.open(tmp, { flag: "wx" })
        yield* file.writeAll(encoder.encode(content))
        if (durable) yield* file.sync
      })
    ).pipe(Effect.onError(() => fs.remove(tmp, { force: true }).pipe(Effect.ignore)))
    return tmp
  })

/** Replaces `path` in one step (temp file + rename). */
export const write = (
  fs: FileSystem.FileSystem,
  dir: string,
  path: string,
  content: string,
  durable: boolean
): Effect.Effect<void, PlatformError.PlatformError> =>
  Effect.uninterruptible(
    Effect.flatMap(writeTemp(fs, dir, content, durable), (tmp) =>
      fs.rename(tmp, path).pipe(Effect.onError(() => fs.remove(tmp, { force: true }).pipe(Effect.ignore)))
    )
  )

/**
 * Creates `path` with `content` only if nothing is there: `link(2)` of a complete temp file is
 * atomic and fails with EEXIST, so it both claims the name and publishes the whole content.
 * Returns false when the name was taken.
 */
export const createExclusive = (
  fs: FileSystem.FileSystem,
  dir: string,
  path: string,
  content: string,
  durable: boolean
): Effect.Effect<boolean, PlatformError.PlatformError> =>
  Effect.uninterruptible(
    Effect.flatMap(writeTemp(fs, dir, content, durable), (tmp) =>
      fs.link(tmp, path).pipe(
        Effect.as(true),
        Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
        Effect.ensuring(fs.remove(tmp, { force: true }).pipe(Effect.ignore))
      )
    )
  )

export const isReason =
  (tag: PlatformError.SystemErrorTag) =>
  (e: PlatformError.PlatformError): boolean =>
    e.reason._tag === tag

/** The file's text, or `undefined` when it does not exist. */
export const readOptional = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<string | undefined, PlatformError.PlatformError> =>
  fs.readFileString(path).pipe(Effect.catchIf(isReason("NotFound"), () => Effect.succeed(undefined)))
