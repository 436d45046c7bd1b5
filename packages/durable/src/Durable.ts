/**
 * The facade: `Durable.workflow`, the durable steps, and the runner and client layers.
 *
 * ```ts
 * const flow = Durable.workflow("triage", sequence(gather, decide, notify), { input: Incident })
 * const runtime = Durable.runner({ store: Store.embedded(), workflows: [flow] })
 * ```
 */

import type { WorkflowContext } from "@tta/core"
import { Duration, Effect, Layer, Schedule } from "effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { DurableClient, layerClient } from "./DurableClient.ts"
import type { DurableContext } from "./DurableContext.ts"
import type { DurableWorkflow } from "./DurableWorkflow.ts"
import type * as Engine from "./Engine.ts"
import type * as Store from "./Store.ts"

export {
  type DurableWorkflow,
  type Execution,
  type Outcome,
  type WorkflowOptions,
  workflow
} from "./DurableWorkflow.ts"
export { type Approved, approval, Decision, NotDurableError, signal, sleep, withSchema } from "./Steps.ts"

export interface RunnerOptions<W extends DurableWorkflow<any, any, any>> extends Engine.EngineOptions {
  readonly workflows: ReadonlyArray<W>
}

// DurableContext and WorkflowContext are given per execution by the compiled workflow itself.
type ServicesOf<W> =
  W extends DurableWorkflow<any, any, infer R> ? Exclude<R, DurableContext | WorkflowContext> : never

/**
 * The layer of a runner process: it runs (and resumes after a crash) the executions of `workflows`
 * on `store`, and offers `DurableClient`. On the embedded store it takes the runner lock.
 */
export const runner = <W extends DurableWorkflow<any, any, any>>(options: RunnerOptions<W>) =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("./Engine.ts")),
      (Engine) => {
        const base = Layer.mergeAll(DurableClient.layer, ...options.workflows.map((w) => w.layer)).pipe(
          Layer.provideMerge(Engine.layer(options, "runner"))
        )
        // The single runner on PostgreSQL (a group's runners give an address and recover in
        // Runners.layer): after the database went away, resume what the outage left suspended.
        return options.store._tag === "Postgres" && options.runnerAddress === undefined
          ? Layer.provideMerge(recovery(options.workflows), base)
          : base
      }
    )
  ) as unknown as Layer.Layer<
    DurableClient | WorkflowEngine.WorkflowEngine | SqlClient.SqlClient,
    Store.StoreFailure,
    ServicesOf<W>
  >

/**
 * A PostgreSQL restart while a step runs makes effect/cluster release the runner's shards and
 * suspend the run, and nothing wakes it again (test/errors.test.ts, "down in the middle of a
 * step"): RunnerRecovery's round, every 500 ms, notices the outage and resumes such runs.
 */
const recovery = (workflows: ReadonlyArray<DurableWorkflow<any, any, any>>) =>
  Layer.effectDiscard(
    Effect.flatMap(
      Effect.promise(() => Promise.all([import("./RunnerRecovery.ts"), import("./LostReplies.ts")])),
      ([Recovery, Lost]) => {
        // the single runner's address (effect/cluster's default); the window covers the default
        // shard-lock expiry (35 s) plus the time to take the shards again
        const self = "localhost:34431"
        const afterOutage = Recovery.afterOutage(self, workflows, Duration.seconds(45))
        const lost = Lost.make(self)
        // Lost results are looked for only for a minute after a round failed (the store was away).
        let failedAt = 0
        // (or after a round noticed a restarted server: a restart between two rounds fails none)
        const round = Effect.flatMap(afterOutage, (noticed) => {
          if (noticed) failedAt = Date.now()
          return Date.now() - failedAt < 60_000 ? lost : Effect.void
        })
        return round.pipe(
          Effect.catchCause((cause) =>
            Effect.andThen(
              Effect.sync(() => (failedAt = Date.now())),
              Effect.logDebug("store recovery round failed", cause)
            )
          ),
          Effect.repeat(Schedule.spaced("500 millis")),
          Effect.forkScoped
        )
      }
    )
  )

/**
 * The layer of a process that reads and controls executions (the CLI) without running any. Reads
 * need only the store; the engine is loaded on the first approve, reject, signal or cancel.
 */
export const client = (
  options: Engine.EngineOptions
): Layer.Layer<DurableClient | SqlClient.SqlClient, Store.StoreFailure> => layerClient(options)

type RunnersModule = typeof import("./Runners.ts")

/**
 * One runner of a group sharing one PostgreSQL: executions spread over the runners by shard (Effect
 * cluster's shard locks); a runner that dies hands its shards to the others within a second or two
 * (they probe its address), a silent one when its locks expire. Implemented in `Runners.layer`
 * (loaded on first use, like the engine); `tta workflows runner` starts one per process.
 */
export const runners = <W extends DurableWorkflow<any, any, any>>(
  options: Parameters<RunnersModule["layer"]>[0] & { readonly workflows: ReadonlyArray<W> }
): ReturnType<typeof import("./Runners.ts").layer<W>> =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("./Runners.ts")),
      (Runners) => Runners.layer(options)
    )
  )

/**
 * A process that starts, joins and polls executions (`flow.run`, `flow.start`, `flow.poll`) and
 * controls them (`DurableClient`) while the runners run them.
 */
export const remote = (
  options: Engine.EngineOptions
): Layer.Layer<DurableClient | WorkflowEngine.WorkflowEngine | SqlClient.SqlClient, Store.StoreFailure> =>
  Layer.unwrap(
    Effect.map(
      Effect.promise(() => import("./Engine.ts")),
      (Engine) => DurableClient.layer.pipe(Layer.provideMerge(Engine.layer(options, "client")))
    )
  ) as unknown as Layer.Layer<
    DurableClient | WorkflowEngine.WorkflowEngine | SqlClient.SqlClient,
    Store.StoreFailure
  >
