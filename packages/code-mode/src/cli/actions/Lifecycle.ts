/**
 * When `tta serve` should stop on its own: its client closed stdin, or the process that started it is
 * gone (a wrapper script or `npx` killed, a Node parent that exited). Stopping closes the stack's
 * scope, which closes every downstream server; those also exit on their own when tta's pipes to
 * them close, which covers tta itself being killed with SIGKILL.
 */
import * as Effect from "effect/Effect"

/** Completes when stdin ends or closes (the SDK's stdio transport keeps it flowing). */
export const stdinClosed: Effect.Effect<void> = Effect.callback<void>((resume) => {
  const done = () => resume(Effect.void)
  if (process.stdin.readableEnded || process.stdin.destroyed) return done()
  process.stdin.once("end", done)
  process.stdin.once("close", done)
  return Effect.sync(() => {
    process.stdin.off("end", done)
    process.stdin.off("close", done)
  })
})

/**
 * Completes when tta's parent process is gone: an orphan is re-parented (to init or a subreaper), so
 * its parent pid changes. Nothing to watch when tta was started by init itself.
 */
export const parentGone = (every: `${number} millis` = "500 millis"): Effect.Effect<void> => {
  const parent = process.ppid
  if (parent <= 1) return Effect.never
  const poll: Effect.Effect<void> = Effect.suspend(() =>
    process.ppid === parent ? Effect.andThen(Effect.sleep(every), poll) : Effect.void
  )
  return poll
}

/** What ends a server: for stdio, its one client going away; for HTTP, only its parent dying. */
export const untilAbandoned = (transport: "stdio" | "http"): Effect.Effect<string> =>
  transport === "stdio"
    ? Effect.raceFirst(Effect.as(stdinClosed, "stdin closed"), Effect.as(parentGone(), "parent exited"))
    : Effect.as(parentGone(), "parent exited")
