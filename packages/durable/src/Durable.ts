/**
 * The facade: `Durable.workflow`, the durable steps, and the runner and client layers.
 *
 * ```ts
 * const flow = Durable.workflow("triage", sequence(gather, decide, notify), { input: Incident })
 * const runtime = Durable.runner({ store: Store.embedded(), workflows: [flow] })
 * ```
 */
import { Layer } from "effect"
import { DurableClient } from "./DurableClient.ts"
import type { DurableContext } from "./DurableContext.ts"
import type { DurableWorkflow } from "./DurableWorkflow.ts"
import * as Engine from "./Engine.ts"
import type * as Store from "./Store.ts"

export { type DurableWorkflow, type Outcome, type WorkflowOptions, workflow } from "./DurableWorkflow.ts"
export { type Approved, approval, Decision, NotDurableError, signal, sleep, withSchema } from "./Steps.ts"

export interface RunnerOptions<W extends DurableWorkflow<any, any, any>> extends Engine.EngineOptions {
  readonly workflows: ReadonlyArray<W>
}

type ServicesOf<W> = W extends DurableWorkflow<any, any, infer R> ? Exclude<R, DurableContext> : never

/**
 * The layer of a runner process: it runs (and resumes after a crash) the executions of `workflows`
 * on `store`, and offers `DurableClient`. On the embedded store it takes the runner lock.
 */
export const runner = <W extends DurableWorkflow<any, any, any>>(options: RunnerOptions<W>) =>
  Layer.mergeAll(DurableClient.layer, ...options.workflows.map((w) => w.layer)).pipe(
    Layer.provideMerge(Engine.layer(options, "runner"))
  ) as Layer.Layer<Layer.Success<ReturnType<typeof client>>, Store.StoreFailure, ServicesOf<W>>

/** The layer of a process that reads and controls executions (the CLI) without running any. */
export const client = (options: Engine.EngineOptions) =>
  DurableClient.layer.pipe(Layer.provideMerge(Engine.layer(options, "client")))
