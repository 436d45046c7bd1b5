/**
 * The triage as a durable workflow (@tta/durable) on a store: each step journaled, so a crashed
 * run resumes where it stopped. One runner per run (the embedded store has one runner at a time),
 * whose `WorkflowContext` is the run's (id and metadata), as `run` from @tta/core would give it.
 */

import type { CodeMode } from "@tta/code-mode"
import { WorkflowContext } from "@tta/core"
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

/** The durable definition of the triage (checked once per call: duplicate step paths throw). */
export const definition = (triage: Triage, key: string) =>
  Durable.workflow("incident-triage", triage.workflow, {
    input: TriageRequestSchema,
    idempotencyKey: () => key
  })

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

/** Runs (or resumes) the triage durably with the services in context; a failure as DurableRunFailure. */
export const runDurably = Effect.fnUntraced(function* (
  triage: Triage,
  request: TriageRequest,
  options: DurableRunOptions
) {
  const flow = definition(triage, options.key ?? options.runId)
  const services = yield* Effect.context<CodeMode.CodeMode | McpHub | Progress>()
  const runner = Durable.runner({ store: options.store, workflows: [flow] }).pipe(
    Layer.provide(
      Layer.merge(
        Layer.succeedContext(services),
        WorkflowContext.layer({ workflowId: options.runId, metadata: options.metadata })
      )
    )
  )
  const exit = yield* Effect.scoped(
    Effect.flatMap(Layer.build(runner), (context) => Effect.exit(Effect.provide(flow.run(request), context)))
  )
  return Exit.isSuccess(exit)
    ? Exit.succeed(exit.value as TriageResult)
    : Exit.fail<DurableRunFailure>(failureOf(exit.cause))
})
