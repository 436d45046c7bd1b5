/**
 * Reads and controls executions from any process: list, show, approve, reject, signal, cancel,
 * purge. What the `tta workflows` CLI is built on. Works in a runner (`Durable.runner`) and in a
 * process that runs nothing (`Durable.client`): requests are written to the store and the runner
 * acts on them when it next polls.
 */
import { Clock, Context, Duration, Effect, Exit, Layer, Schema } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { Workflow, WorkflowEngine } from "effect/workflow"
import { approvalDeferred, deferredName, signalDeferred } from "./CompileWaits.ts"
import { StoreError, UnknownExecutionError, UnknownWaitError } from "./Errors.ts"
import * as Journal from "./Journal.ts"
import type { ExecutionDetail, ExecutionSummary } from "./Model.ts"

export interface DurableClientShape {
  readonly list: (options?: {
    readonly limit?: number | undefined
    readonly workflow?: string | undefined
  }) => Effect.Effect<ReadonlyArray<ExecutionSummary>, StoreError>
  readonly show: (executionId: string) => Effect.Effect<ExecutionDetail, UnknownExecutionError | StoreError>
  readonly approve: (
    executionId: string,
    approval: string,
    options: { readonly by: string; readonly value?: unknown }
  ) => Effect.Effect<void, UnknownExecutionError | UnknownWaitError | StoreError>
  readonly reject: (
    executionId: string,
    approval: string,
    options: { readonly by: string; readonly reason?: string | undefined }
  ) => Effect.Effect<void, UnknownExecutionError | UnknownWaitError | StoreError>
  readonly signal: (
    executionId: string,
    signal: string,
    value: unknown
  ) => Effect.Effect<void, UnknownExecutionError | UnknownWaitError | StoreError>
  /** Cancels a running or waiting execution; its saga compensations run. Finished ones are left as they are. */
  readonly cancel: (executionId: string) => Effect.Effect<void, UnknownExecutionError | StoreError>
  /** Deletes the journal of executions that finished longer ago than `olderThan`. */
  readonly purge: (options: {
    readonly olderThan: Duration.Input
  }) => Effect.Effect<{ readonly purged: number }, StoreError>
}

export class DurableClient extends Context.Service<DurableClient, DurableClientShape>()(
  "@tta/durable/DurableClient"
) {
  static readonly layer = Layer.effect(DurableClient)(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const engine = yield* WorkflowEngine.WorkflowEngine
      return make(sql, engine)
    })
  )
}

const storeError = (e: { readonly message: string }) =>
  new StoreError({ store: "journal", message: e.message })

// Only the name and annotations of a workflow are used to address an execution's entity.
const addressOf = (name: string) =>
  Workflow.make(name, { payload: {}, idempotencyKey: () => "" }) as unknown as Workflow.Any

const make = (
  sql: SqlClient.SqlClient,
  engine: WorkflowEngine.WorkflowEngine["Service"]
): DurableClientShape => {
  const show = (id: string) =>
    Effect.flatMap(Effect.mapError(Journal.show(sql, id), storeError), (detail) =>
      detail === undefined
        ? Effect.fail(
            new UnknownExecutionError({
              executionId: id,
              message: `no execution ${JSON.stringify(id)} in the store (see the ids that \`list\` shows)`
            })
          )
        : Effect.succeed(detail)
    )

  const resolve = (id: string, kind: "approval" | "signal", name: string, value: unknown) =>
    Effect.gen(function* (): Effect.fn.Return<void, UnknownExecutionError | UnknownWaitError | StoreError> {
      const detail = yield* show(id)
      const wait = detail.waits.find((w) => w.kind === kind && w.name === name)
      const fail = (why: string) =>
        Effect.fail(new UnknownWaitError({ executionId: id, kind, name, message: `execution ${id}: ${why}` }))
      if (wait === undefined) {
        const open = detail.waitingOn.map((w) => `${w.kind} ${w.name}`).join(", ") || "nothing"
        return yield* fail(`no ${kind} named ${JSON.stringify(name)} was asked for (it waits on: ${open})`)
      }
      if (wait.resolvedAt !== undefined) {
        return yield* fail(
          `${kind} ${JSON.stringify(name)} was already ${kind === "approval" ? (wait.approved ? "approved" : "rejected") : "delivered"}${wait.by ? ` by ${wait.by}` : ""}`
        )
      }
      const deferred = kind === "approval" ? approvalDeferred(name) : signalDeferred(name)
      yield* (engine.deferredDone as (d: unknown, o: unknown) => Effect.Effect<void>)(deferred, {
        workflowName: detail.workflow,
        executionId: id,
        deferredName: deferredName(kind, name),
        exit: Exit.succeed(value)
      })
    })

  return {
    list: (options) => Effect.mapError(Journal.list(sql, options), storeError),
    show,
    approve: (id, name, options) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        resolve(id, "approval", name, {
          approved: true,
          by: options.by,
          at,
          ...(options.value !== undefined ? { value: options.value } : {})
        })
      ),
    reject: (id, name, options) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        resolve(id, "approval", name, {
          approved: false,
          by: options.by,
          at,
          ...(options.reason !== undefined ? { reason: options.reason } : {})
        })
      ),
    signal: (id, name, value) =>
      resolve(id, "signal", name, Schema.encodeSync(Schema.Json)(value as Schema.Json)),
    cancel: (id) =>
      Effect.flatMap(show(id), (detail) =>
        detail.status === "running" || detail.status === "waiting"
          ? engine.interrupt(addressOf(detail.workflow), id)
          : Effect.void
      ),
    purge: (options) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.map(
          Effect.mapError(
            Journal.purge(sql, Duration.toMillis(Duration.fromInputUnsafe(options.olderThan)), now),
            storeError
          ),
          (purged) => ({ purged })
        )
      )
  }
}
