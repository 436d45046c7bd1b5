/**
 * The engine layers: effect/cluster's `ClusterWorkflowEngine` on a `Sharding` whose messages and
 * shard locks live in the store (`SqlMessageStorage`, `SqlRunnerStorage`).
 *
 * A runner owns the shards and runs executions; a client (the CLI, another process) has no runner
 * address: it writes requests (approvals, signals, cancels) into the store, and the runner picks
 * them up when it next polls storage (`pollInterval`).
 */
import { Duration, Layer, Option } from "effect"
import {
  ClusterWorkflowEngine,
  RunnerHealth,
  Runners,
  Sharding,
  ShardingConfig,
  SqlMessageStorage,
  SqlRunnerStorage
} from "effect/cluster"
import * as Digest from "effect/crypto/Digest"
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
}

const config = (options: EngineOptions, runner: boolean) =>
  ShardingConfig.layer({
    ...(runner ? {} : { runnerAddress: Option.none() }),
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
    Layer.provideMerge(SqlMessageStorage.layer),
    Layer.provide([Layer.orDie(SqlRunnerStorage.layer), RunnerHealth.layerNoop]),
    Layer.provide(config(options, runner))
  )

/** `WorkflowEngine` (+ Sharding, MessageStorage, SqlClient) for a runner or a client process. */
export const layer = (options: EngineOptions, role: "runner" | "client") =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding(options, role === "runner")),
    Layer.provide(Digest.layerWebCrypto),
    Layer.provideMerge(Store.sqlLayer(options.store, role))
  )
