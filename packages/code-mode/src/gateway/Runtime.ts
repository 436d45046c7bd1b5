/**
 * The gateway's runtime: effects run as promises of their exit on a FiberSet runtime built from the
 * caller's context (its tracer and logger kept), every fiber interrupted when that scope closes.
 */
import { Effect, Exit, FiberSet } from "effect"
import type { CodeMode } from "../CodeMode.ts"

/** Runs an effect on the gateway's runtime, as a promise of its exit. */
export type Run = <A, E>(
  effect: Effect.Effect<A, E, CodeMode>,
  options?: { readonly signal?: AbortSignal | undefined }
) => Promise<Exit.Exit<A, E>>

/** A `Run` over the context in scope; its fibers are interrupted when the scope closes. */
export const runtime = Effect.fnUntraced(function* () {
  const runPromise = yield* FiberSet.makeRuntimePromise<CodeMode>()
  // A fiber interrupted from outside (its scope closed, the client cancelled) rejects its promise:
  // callers get that as an exit too.
  const run: Run = (effect, options) =>
    runPromise(
      Effect.exit(effect),
      options?.signal === undefined ? undefined : { signal: options.signal }
    ).catch((e: unknown) => Exit.die(e))
  return run
})
