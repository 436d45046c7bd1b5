/**
 * A per-directory lock that works across processes and survives a holder killed with SIGKILL.
 *
 * The lock is a file `.lock` holding `{ pid, host, token }`, created with `link(2)` of a complete
 * temp file (atomic, fails if the lock exists, and never leaves a half-written lock). A lock is
 * stale when its holder is gone: same host and the pid no longer exists (or it is our own pid
 * with a token we do not hold), or the file is older than `staleAfterMs` (pid reuse, other
 * hosts). Breaking renames the stale file aside and checks it really was the stale one before
 * deleting it, so two processes breaking the same stale lock do not delete a fresh one.
 */
import { randomUUID } from "node:crypto"
import { hostname } from "node:os"
import { Clock, Duration, Effect, type FileSystem, Option, type PlatformError, Random } from "effect"
import { createExclusive, isReason, readOptional } from "./AtomicFile.ts"
import { SkillStoreError } from "./Errors.ts"

export interface LockOptions {
  /** Give up waiting for a live holder after this long. */
  readonly timeoutMs: number
  /** A lock file older than this is stale whoever holds it (critical sections take milliseconds). */
  readonly staleAfterMs: number
}

interface Holder {
  readonly pid: number
  readonly host: string
  readonly token: string
}

const host = hostname()
// Tokens this process holds right now: a lock with our pid but another token is a leftover of
// an earlier process that had our pid (containers reuse small pids).
const held = new Set<string>()

const parseHolder = (text: string | undefined): Holder | undefined => {
  try {
    const h = JSON.parse(text ?? "") as Partial<Holder>
    return typeof h.pid === "number" && typeof h.token === "string" && typeof h.host === "string"
      ? { pid: h.pid, host: h.host, token: h.token }
      : undefined
  } catch {
    return undefined
  }
}

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const holderGone = (h: Holder): boolean =>
  h.host === host && (h.pid === process.pid ? !held.has(h.token) : !pidAlive(h.pid))

const toStoreError = (operation: string, path: string) => (e: PlatformError.PlatformError) =>
  new SkillStoreError({ operation, path, message: e.message })

/**
 * Runs `self` while holding the lock of `dir`. Fails with `NotFound` (as a PlatformError) when
 * `dir` does not exist, so callers can decide whether to create it.
 */
export const withLock =
  (fs: FileSystem.FileSystem, dir: string, options: LockOptions) =>
  <A, E, R>(
    self: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | SkillStoreError | PlatformError.PlatformError, R> => {
    const lockPath = `${dir}/.lock`

    const breakStale = (stale: Holder | undefined, token: string) =>
      Effect.gen(function* () {
        const aside = `${lockPath}.stale-${token}`
        const moved = yield* fs.rename(lockPath, aside).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("NotFound"), () => Effect.succeed(false))
        )
        if (!moved) return
        const text = yield* readOptional(fs, aside)
        const took = parseHolder(text)
        if (took?.token !== stale?.token) {
          // Someone broke it and re-locked between our read and our rename: put theirs back.
          yield* fs
            .link(aside, lockPath)
            .pipe(
              Effect.catchIf(isReason("AlreadyExists"), () =>
                Effect.logWarning(`skills: lock ${lockPath} raced while breaking a stale lock`)
              )
            )
        }
        yield* fs.remove(aside, { force: true })
      })

    const acquire = (restore: <X, Y, Z>(e: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>) =>
      Effect.gen(function* () {
        const token = randomUUID()
        const content = JSON.stringify({ pid: process.pid, host, token })
        const started = yield* Clock.currentTimeMillis
        for (let attempt = 0; ; attempt++) {
          if (yield* createExclusive(fs, dir, lockPath, content, false)) {
            held.add(token)
            return token
          }
          const text = yield* readOptional(fs, lockPath)
          if (text === undefined) continue
          const holder = parseHolder(text)
          const info = yield* fs.stat(lockPath).pipe(Effect.option)
          const mtime = Option.getOrUndefined(Option.flatMap(info, (i) => i.mtime))
          // File times are wall-clock, so the age is measured against the wall clock, not Clock.
          const old = mtime !== undefined && Date.now() - mtime.getTime() > options.staleAfterMs
          if (old || (holder !== undefined && holderGone(holder))) {
            yield* breakStale(holder, token)
            continue
          }
          if ((yield* Clock.currentTimeMillis) - started > options.timeoutMs) {
            return yield* new SkillStoreError({
              operation: "lock",
              path: lockPath,
              message: `lock ${lockPath} is held by ${holder ? `pid ${holder.pid} on ${holder.host}` : "an unknown holder"} for more than ${options.timeoutMs} ms`
            })
          }
          const jitter = yield* Random.nextIntBetween(0, 3)
          yield* restore(Effect.sleep(Duration.millis(Math.min(1 + attempt, 20) + jitter)))
        }
      })

    const release = (token: string) =>
      Effect.gen(function* () {
        held.delete(token)
        const holder = parseHolder(yield* readOptional(fs, lockPath))
        // Only our own lock: if it was (wrongly) broken, the current holder keeps theirs.
        if (holder?.token === token) yield* fs.remove(lockPath, { force: true })
      }).pipe(
        Effect.mapError(toStoreError("unlock", lockPath)),
        Effect.catch((e) => Effect.logWarning(e.message))
      )

    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(acquire(restore), (token) => restore(self).pipe(Effect.ensuring(release(token))))
    )
  }
