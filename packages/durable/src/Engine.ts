/**
 * The engine layers: effect/cluster's `ClusterWorkflowEngine` on a `Sharding` whose messages and
 * shard locks live in the store (`SqlMessageStorage`, `SqlRunnerStorage`).
 *
 * A runner owns the shards and runs executions; a client (the CLI, another process) has no runner
 * address: it writes requests (approvals, signals, cancels) into the store, and the runner picks
 * them up when it next polls storage (`pollInterval`).
 *
 * This module loads effect/cluster (~400 modules): import it lazily (`Durable.runner` and
 * `DurableClient` do), so a process that only reads the journal never pays for it.
 */
import { Duration, Effect, Layer, Option } from "effect"
import * as ClusterWorkflowEngine from "effect/cluster/ClusterWorkflowEngine"
import * as MessageStorage from "effect/cluster/MessageStorage"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import * as RunnerHealth from "effect/cluster/RunnerHealth"
import * as Runners from "effect/cluster/Runners"
import * as Sharding from "effect/cluster/Sharding"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "effect/cluster/SqlRunnerStorage"
import * as Digest from "effect/crypto/Digest"
import * as SqlClient from "effect/sql/SqlClient"
import { StoreError } from "./Errors.ts"
import * as PgSync from "./PgSync.ts"
import * as ReplySave from "./ReplySave.ts"
import * as Store from "./Store.ts"

export interface EngineOptions {
  readonly store: Store.StoreConfig
  /**
   * How often the runner looks in the store for requests from other processes (approvals, signals,
   * cancels, due clocks). Default 250 ms.
   */
  readonly pollInterval?: Duration.Input | undefined
  /**
   * Shards per group. Every process on one store must use the same number (it maps executions to
   * shards). Default 32.
   */
  readonly shards?: number | undefined
  /**
   * This runner's unique name in a group of runners on one PostgreSQL (no socket is opened: runners
   * exchange messages through the store). Default `localhost:34431`, the single runner.
   */
  readonly runnerAddress?: { readonly host: string; readonly port: number } | undefined
  /**
   * How long a runner's shard locks live without a refresh (default 35 s), and how often it
   * refreshes them (default 10 s). A runner that dies hands its executions to the others after
   * about `lockExpiration`; a runner paused longer than that (CPU starvation) loses its shards.
   */
  readonly failover?:
    | {
        readonly lockExpiration?: Duration.Input | undefined
        readonly lockRefresh?: Duration.Input | undefined
        /** How often a runner re-reads the runner list and re-assigns shards (default 3 s). */
        readonly assignmentRefresh?: Duration.Input | undefined
      }
    | undefined
}

const config = (options: EngineOptions, runner: boolean) =>
  ShardingConfig.layer({
    ...(runner
      ? options.runnerAddress
        ? {
            runnerAddress: Option.some(
              RunnerAddress.make(options.runnerAddress.host, options.runnerAddress.port)
            )
          }
        : {}
      : { runnerAddress: Option.none() }),
    ...(options.failover?.lockExpiration !== undefined
      ? { shardLockExpiration: Duration.fromInputUnsafe(options.failover.lockExpiration) }
      : {}),
    ...(options.failover?.lockRefresh !== undefined
      ? { shardLockRefreshInterval: Duration.fromInputUnsafe(options.failover.lockRefresh) }
      : {}),
    ...(options.failover?.assignmentRefresh !== undefined
      ? { refreshAssignmentsInterval: Duration.fromInputUnsafe(options.failover.assignmentRefresh) }
      : {}),
    shardsPerGroup: options.shards ?? 32,
    // Shard locks as rows (with expiry) rather than PostgreSQL advisory locks: advisory locks vanish
    // with their session when the server restarts, and the runner then re-activated executions
    // whose activities were still running, so one step ran twice (test/errors.test.ts).
    shardLockDisableAdvisory: true,
    entityMessagePollInterval: Duration.fromInputUnsafe(options.pollInterval ?? "250 millis"),
    entityReplyPollInterval: Duration.millis(100)
  })

const sharding = (options: EngineOptions, runner: boolean) =>
  Sharding.layer.pipe(
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(ReplySave.patient(SqlMessageStorage.layer)),
    Layer.provide([Layer.orDie(SqlRunnerStorage.layer), RunnerHealth.layerNoop]),
    Layer.provide(config(options, runner))
  )

/** `WorkflowEngine` (+ Sharding, MessageStorage) on the `SqlClient` in context. */
export const onSql = (options: EngineOptions, role: "runner" | "client") =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding(options, role === "runner")),
    Layer.provide(Digest.layerWebCrypto)
  )

/** A runner on PostgreSQL: the triggers that keep journal facts' commits synchronous (PgSync). */
const pgSync = (options: EngineOptions, role: "runner" | "client") =>
  options.store._tag === "Postgres" && role === "runner"
    ? Layer.effectDiscard(
        Effect.andThen(
          MessageStorage.MessageStorage,
          Effect.flatMap(SqlClient.SqlClient, PgSync.install)
        ).pipe(
          Effect.mapError(
            (e) =>
              new StoreError({
                store: Store.describe(options.store),
                message: `installing the synchronous-commit triggers: ${e.message} (${String((e.reason as { cause?: unknown }).cause ?? "")})`
              })
          )
        )
      )
    : Layer.empty

/** `WorkflowEngine` (+ Sharding, MessageStorage, SqlClient) for a runner or a client process. */
export const layer = (options: EngineOptions, role: "runner" | "client") =>
  Layer.provideMerge(pgSync(options, role), onSql(options, role)).pipe(
    Layer.provideMerge(Store.sqlLayer(options.store, role))
  )
