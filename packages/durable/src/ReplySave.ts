/**
 * Saving a request's final reply through a short store outage (a PostgreSQL restart).
 *
 * effect/cluster's entity manager saves a reply with 4 retries 200 ms apart, then dies. Its caller -
 * here an execution's run, waiting in memory for an activity's result - is woken only by that save
 * (or when its reply handler is dropped), so a restart longer than ~1 s left the run waiting forever:
 * its run message is re-delivered, but ignored while the run is in memory. Worse, a save whose
 * commit reached the server just as the connection dropped fails on the client while the reply is
 * stored; retrying it cannot help. Seen in test/scaleout.test.ts ("PostgreSQL restarted mid-run").
 *
 * Here a failed final-reply save is retried every 200 ms until the store answers: if the reply is
 * then already stored, the waiting caller's reply handler is dropped, which makes it read the reply
 * from the store (what effect/cluster itself does when a transaction's commit reports an error but
 * committed); otherwise the save runs again. A reply is never written twice. The retries stop after
 * a lock-refresh interval (a third of the shard-lock expiry or less): the shard was owned when the
 * save began, so its lock is still this runner's for that long, and no other runner can have
 * answered the request meanwhile. Then the save dies, as before.
 */
import { Duration, Effect, Layer, Schedule } from "effect"
import * as MessageStorage from "effect/cluster/MessageStorage"
import * as ShardingConfig from "effect/cluster/ShardingConfig"

/** `storage` with final-reply saves that outlast an outage (see the module comment). */
export const patient = <E, R>(
  storage: Layer.Layer<MessageStorage.MessageStorage, E, R>
): Layer.Layer<MessageStorage.MessageStorage, E, R | ShardingConfig.ShardingConfig> =>
  Layer.effect(MessageStorage.MessageStorage)(
    Effect.gen(function* () {
      const s = yield* MessageStorage.MessageStorage
      const config = yield* ShardingConfig.ShardingConfig
      const budget = Duration.min(
        Duration.fromInputUnsafe(config.shardLockRefreshInterval),
        Duration.divideUnsafe(Duration.fromInputUnsafe(config.shardLockExpiration), 3)
      )
      // Methods keep `this`: messages read from storage answer through `this.saveReply`.
      const wrapped: MessageStorage.MessageStorage["Service"] = Object.assign(Object.create(s), {
        saveReply: (reply: Parameters<typeof s.saveReply>[0]) => {
          const save = s.saveReply.call(wrapped, reply)
          if (reply.reply._tag !== "WithExit") return save
          const requestId = reply.reply.requestId
          const stored = Effect.map(s.repliesForUnfiltered([requestId]), (replies) =>
            replies.some((r) => r._tag === "WithExit")
          )
          const again = Effect.flatMap(stored, (done) =>
            done
              ? Effect.andThen(
                  Effect.logInfo(`reply of ${requestId} found stored after an outage: its caller reads it`),
                  s.unregisterReplyHandler(requestId)
                )
              : save
          )
          return Effect.catchTag(save, "PersistenceError", (e) =>
            Effect.logDebug("saving a reply failed; retrying until the store answers", e).pipe(
              Effect.andThen(
                again.pipe(
                  Effect.retry({
                    while: (e) => e._tag === "PersistenceError",
                    schedule: Schedule.spaced(200)
                  }),
                  Effect.timeoutOrElse({ duration: budget, orElse: () => Effect.die(e) })
                )
              )
            )
          )
        }
      })
      return wrapped
    })
  ).pipe(Layer.provide(storage))
