/**
 * Progress of a demo run, one event per step as it finishes: what the CLI prints line by line and
 * what the tests read.
 */
import type { WorkflowContextShape } from "@tta/core"
import { Context, Effect, Layer } from "effect"

export interface StepEvent {
  /** The workflow run (its `workflowId`). */
  readonly run: string
  readonly step: string
  readonly status: "ok" | "failed" | "compensated" | "info"
  /** MCP tool calls the step made (from inside the sandbox, or directly). */
  readonly toolCalls: number
  readonly durationMs: number
  /** One line saying what the step found or did. */
  readonly detail: string
}

export class Progress extends Context.Service<
  Progress,
  { readonly emit: (event: StepEvent) => Effect.Effect<void> }
>()("@tta/demo/Progress") {
  /** Hands every event to `f`. */
  static readonly layer = (f: (event: StepEvent) => void): Layer.Layer<Progress> =>
    Layer.succeed(Progress, { emit: (event) => Effect.sync(() => f(event)) })
}

/** One event for `step` of the current run (`ctx.workflowId`). */
export const emit = (
  ctx: WorkflowContextShape,
  step: string,
  status: StepEvent["status"],
  detail: string,
  durationMs = 0,
  toolCalls = 0
): Effect.Effect<void, never, Progress> =>
  Progress.use((progress) =>
    progress.emit({ run: ctx.workflowId, step, status, toolCalls, durationMs, detail })
  )
