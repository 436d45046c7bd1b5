/**
 * The workflow a primitive runs in: its id, free-form metadata and tags. Every step can read it
 * with `yield* WorkflowContext`; every primitive span carries its id as `tta.workflow.id`.
 */
import { Context, Effect, Layer } from "effect"

export interface WorkflowContextShape {
  readonly workflowId: string
  readonly metadata: Readonly<Record<string, unknown>>
  readonly tags: ReadonlyArray<string>
}

export interface WorkflowContextOptions {
  readonly workflowId?: string | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  readonly tags?: ReadonlyArray<string> | undefined
}

export class WorkflowContext extends Context.Service<WorkflowContext, WorkflowContextShape>()(
  "@tta/core/WorkflowContext"
) {
  /** Builds the context value; a random UUID when no id is given. */
  static make(options: WorkflowContextOptions = {}): WorkflowContextShape {
    return {
      workflowId: options.workflowId ?? globalThis.crypto.randomUUID(),
      metadata: options.metadata ?? {},
      tags: options.tags ?? []
    }
  }

  static layer(options: WorkflowContextOptions = {}): Layer.Layer<WorkflowContext> {
    return Layer.sync(WorkflowContext, () => WorkflowContext.make(options))
  }

  /** Runs `self` inside a workflow (pipeable). */
  static provide(
    options: WorkflowContextOptions = {}
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, Exclude<R, WorkflowContext>> {
    return (self) =>
      Effect.suspend(() => Effect.provideService(self, WorkflowContext, WorkflowContext.make(options)))
  }
}
