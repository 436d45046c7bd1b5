/**
 * The triage as a durable workflow (@tta/durable) on a store: each step journaled, so a crashed
 * run resumes where it stopped. Each run's steps see its own `WorkflowContext` (id and metadata),
 * as `run` from @tta/core would give them, whichever runner runs it.
 */

import type { CodeMode } from "@tta/code-mode"
import { lift, sequence } from "@tta/core"
import { Durable, type Store } from "@tta/durable"
import type { McpHub } from "@tta/mcp"
import { Cause, Effect, Exit, Layer, Schema } from "effect"
import type { Progress } from "./Progress.ts"
import type { Triage, TriageRequest, TriageResult } from "./Triage.ts"

/** The run id of `pnpm demo --crash`'s triage. */
export const crashRunId = "triage-crash"
/** The approval its paging step waits on (code mode's `<step>/call-<k>`; `--crash` pages with approval). */
export const pageApproval = "agent/notify.ts/call-1"

export const TriageRequestSchema = Schema.Struct({
  window: Schema.String,
  step: Schema.Number,
  threshold: Schema.Number
})

export interface DurableRunOptions {
  readonly store: Store.StoreConfig
  /** The run's id (`WorkflowContext.workflowId`): names its report, keys its health checks. */
  readonly runId: string
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /**
   * What makes this run one execution (default: the run id). A crashed run started again with the
   * same key resumes; another key starts afresh.
   */
  readonly key?: string | undefined
}

/**
 * One durable run: the request with the run's id (its `WorkflowContext.workflowId`), metadata and
 * the key that makes it one execution. All of it is in the journaled input, so a replay on another
 * process builds the same WorkflowContext.
 */
export const TriageRun = Schema.Struct({
  request: TriageRequestSchema,
  runId: Schema.String,
  key: Schema.String,
  metadata: Schema.Record(Schema.String, Schema.Json)
})
export type TriageRun = typeof TriageRun.Type

/** The durable definition of the triage (checked once per call: duplicate step paths throw). */
export const definition = (triage: Triage) =>
  Durable.workflow(
    "incident-triage",
    // The run's id and key only name the execution: the triage itself gets the request.
    sequence(
      lift("request", (run: TriageRun): TriageRequest => run.request),
      triage.workflow
    ),
    {
      input: TriageRun,
      idempotencyKey: (run) => run.key,
      context: (run) => ({ workflowId: run.runId, metadata: run.metadata })
    }
  )

/** The failure of a durable run as the in-memory run would report it: the step error's JSON. */
export interface DurableRunFailure {
  readonly message: string
  readonly compensated: ReadonlyArray<string>
}

const failureOf = (cause: Cause.Cause<unknown>): DurableRunFailure => {
  const error = Cause.squash(cause) as {
    message?: string
    error?: { message?: string; compensated?: unknown }
  }
  const inner = error?.error
  return {
    message: inner?.message ?? error?.message ?? String(error),
    // Compensated steps come back as journal paths (`…/write-report`): the step name is the last part.
    compensated: Array.isArray(inner?.compensated)
      ? inner.compensated.map((p: string) => String(p).split("/").pop()!)
      : []
  }
}

export type RunDurably = (
  request: TriageRequest,
  options: Omit<DurableRunOptions, "store">
) => Effect.Effect<Exit.Exit<TriageResult, DurableRunFailure>>

/**
 * A runner of the triage on `store` for the scope (the embedded store has one runner at a time)
 * and a function running (or resuming) one triage on it; each run sees its own WorkflowContext.
 */
export const durableTriage = Effect.fnUntraced(function* (triage: Triage, store: Store.StoreConfig) {
  const flow = definition(triage)
  const services = yield* Effect.context<CodeMode.CodeMode | McpHub | Progress>()
  const runner = yield* Layer.build(
    Durable.runner({ store, workflows: [flow] }).pipe(Layer.provide(Layer.succeedContext(services)))
  )
  const run: RunDurably = (request, options) =>
    Effect.map(
      Effect.exit(
        Effect.provide(
          flow.run({
            request,
            runId: options.runId,
            key: options.key ?? options.runId,
            metadata: (options.metadata ?? {}) as Record<string, Schema.Json>
          }),
          runner
        )
      ),
      (exit) =>
        Exit.isSuccess(exit)
          ? Exit.succeed(exit.value as TriageResult)
          : Exit.fail<DurableRunFailure>(failureOf(exit.cause))
    )
  return run
})

/** Runs (or resumes) one triage durably with the services in context, on a runner of its own. */
export const runDurably = (triage: Triage, request: TriageRequest, options: DurableRunOptions) =>
  Effect.scoped(Effect.flatMap(durableTriage(triage, options.store), (run) => run(request, options)))
