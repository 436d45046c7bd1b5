/**
 * Running a primitive: `run` inside a workflow (Effect callers), `runPromise` for everyone else.
 */
import { Effect } from "effect"
import type { Primitive } from "./Primitive.ts"
import { WorkflowContext, type WorkflowContextOptions } from "./WorkflowContext.ts"

export interface RunOptions extends WorkflowContextOptions {
  /** Aborting interrupts the run (and everything it started). */
  readonly signal?: AbortSignal | undefined
}

/** Runs `p` with a fresh `WorkflowContext` (id, metadata, tags from the options). */
export const run = <In, Out, E, R>(
  p: Primitive<In, Out, E, R>,
  input: In,
  options?: WorkflowContextOptions
): Effect.Effect<Out, E, Exclude<R, WorkflowContext>> => p.run(input).pipe(WorkflowContext.provide(options))

/**
 * Runs `p` and resolves with its output; rejects with the typed error (or the defect) when it
 * fails. Only primitives that need nothing but `WorkflowContext` can run this way; provide other
 * services with `Effect.provide` and use `run`.
 */
export const runPromise = <In, Out, E>(
  p: Primitive<In, Out, E, WorkflowContext>,
  input: In,
  options?: RunOptions
): Promise<Out> =>
  Effect.runPromise(run(p, input, options), options?.signal ? { signal: options.signal } : undefined)
