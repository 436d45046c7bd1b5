/**
 * One runner process per embedded store: a lock file beside the database holding the runner's pid.
 * A second runner gets `StoreLockedError`; a lock left by a runner that died (kill -9) is taken over,
 * since its pid no longer runs. Readers (the CLI) never take the lock.
 */

import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs"
import { Effect, type Scope } from "effect"
import { StoreLockedError } from "./Errors.ts"

export const lockPath = (database: string): string => `${database}.runner.lock`

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const tryCreate = (path: string): boolean => {
  try {
    const fd = openSync(path, "wx")
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

const holder = (path: string): number => {
  try {
    return Number(readFileSync(path, "utf8").trim())
  } catch {
    return Number.NaN
  }
}

/** Takes the runner lock of `database` for the life of the scope. */
export const acquire = (database: string): Effect.Effect<void, StoreLockedError, Scope.Scope> => {
  const path = lockPath(database)
  return Effect.acquireRelease(
    Effect.suspend(() => {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryCreate(path)) return Effect.void
        const pid = holder(path)
        if (alive(pid)) {
          return Effect.fail(
            new StoreLockedError({
              path: database,
              pid,
              message:
                `the embedded store ${database} already has a runner (pid ${pid}); one runner per embedded ` +
                `store - use PostgreSQL for several, or stop that process (a lock left by a dead one is ${path})`
            })
          )
        }
        // Stale: move it aside atomically (a concurrent taker renames at most one of them).
        try {
          renameSync(path, `${path}.stale-${process.pid}`)
          rmSync(`${path}.stale-${process.pid}`, { force: true })
        } catch {}
      }
      return Effect.fail(
        new StoreLockedError({
          path: database,
          pid: holder(path),
          message: `could not take the runner lock ${path}`
        })
      )
    }),
    () =>
      Effect.sync(() => {
        if (holder(path) === process.pid) rmSync(path, { force: true })
      })
  )
}
