/**
 * Shard-lock refreshes that ride out a short store outage (a PostgreSQL restart, a dropped
 * connection).
 *
 * effect/cluster's Sharding refreshes a runner's shard locks every `shardLockRefreshInterval` (I),
 * retries a failed refresh only 5 times 50 ms apart, and gives it I in all. When that fails, it
 * declares lock storage unhealthy: it drops every shard and interrupts every execution on them, so
 * the activities they were running run again - for a restart that takes a second or two. Here a
 * failed refresh is retried (every 200 ms) until it succeeds; Sharding's own deadline (I) still
 * bounds it. Safety is unchanged: a lock lives `shardLockExpiration` (3 I or more) after its last
 * refresh, and a runner whose refresh has not succeeded within I still gives its shards up, as
 * before - it only no longer gives them up for an error it could have retried past.
 */
import { Effect, Layer, Schedule } from "effect"
import * as RunnerStorage from "effect/cluster/RunnerStorage"

/** `storage` with its `refresh` retried until Sharding's deadline interrupts it. */
export const patient = <E, R>(
  storage: Layer.Layer<RunnerStorage.RunnerStorage, E, R>
): Layer.Layer<RunnerStorage.RunnerStorage, E, R> =>
  Layer.effect(RunnerStorage.RunnerStorage)(
    Effect.gen(function* () {
      const s = yield* RunnerStorage.RunnerStorage
      return RunnerStorage.RunnerStorage.of({
        ...s,
        refresh: (address, shardIds) => {
          const ids = Array.from(shardIds) // taken once: the retry reuses it
          return s.refresh(address, ids).pipe(
            Effect.tapError((e) => Effect.logDebug("shard-lock refresh failed; retrying", e)),
            Effect.retry(Schedule.spaced("200 millis"))
          )
        }
      })
    })
  ).pipe(Layer.provide(storage))
