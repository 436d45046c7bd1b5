/**
 * Durable waits: `sleep` and `timeout` on `DurableClock`, `approval` and `signal` on
 * `DurableDeferred`. Each records when it started in an activity first (`<name>/deadline`,
 * `wait/approval/<name>`), so a restart keeps the original deadline and the journal shows what an
 * execution is waiting on and since when.
 */
import { Errors as CoreErrors } from "@tta/core"
import { Clock, Duration, Effect, Schema } from "effect"
import * as DurableClock from "effect/workflow/DurableClock"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import { activity, type Compiled, type Definition, ItemSuffix } from "./Activities.ts"
import { ApprovalRejectedError } from "./Errors.ts"
import { errorToJson } from "./Json.ts"
import { Decision, type WaitSpec } from "./Steps.ts"

/** Waits up to this long in memory (an activity); longer waits suspend the execution on the clock. */
const inMemoryThreshold = Duration.seconds(5)

/** Sleeps until the journaled deadline; a restart waits only for what is left. */
const untilDeadline = (def: Definition, name: string, duration: Duration.Duration) =>
  Effect.gen(function* () {
    const ms = Duration.toMillis(duration)
    const deadline = (yield* activity(
      def,
      `${name}/deadline`,
      Effect.map(Clock.currentTimeMillis, (now) => now + ms),
      Schema.Number
    )) as number
    const now = yield* Clock.currentTimeMillis
    yield* DurableClock.sleep({ name, duration: Math.max(0, deadline - now), inMemoryThreshold })
  })

export const compileSleep =
  (def: Definition, path: string, duration: Duration.Duration): Compiled =>
  (input) =>
    Effect.flatMap(ItemSuffix, (suffix) => Effect.as(untilDeadline(def, path + suffix, duration), input))

const timedOut = "~@tta/durable/timeout"

/**
 * The step races a durable clock set at the journaled deadline; whichever settles first (success or
 * failure) wins and is journaled, so a replay sees the same outcome.
 */
export const compileTimeout =
  (def: Definition, path: string, duration: Duration.Duration, child: Compiled): Compiled =>
  (input) =>
    Effect.flatMap(ItemSuffix, (suffix) => {
      const name = path + suffix
      // Both arms succeed (the race takes the first success): the outcome is carried as data.
      const work = Effect.match(child(input), {
        onSuccess: (value) => ({ ok: value }) as Schema.Json,
        onFailure: (error) => ({ error }) as Schema.Json
      })
      const expired = Effect.as(untilDeadline(def, name, duration), { [timedOut]: true } as Schema.Json)
      return Effect.flatMap(
        DurableDeferred.raceAll({ name, success: Schema.Json, error: Schema.Json, effects: [work, expired] }),
        (outcome: any) => {
          if (outcome?.[timedOut] === true) {
            return Effect.fail(
              errorToJson(
                new CoreErrors.TimeoutError({
                  primitive: path,
                  timeoutMillis: Duration.toMillis(duration),
                  message: `${path} timed out after ${Duration.format(duration)}`
                })
              )
            )
          }
          return "ok" in outcome ? Effect.succeed(outcome.ok) : Effect.fail(outcome.error)
        }
      )
    })

export const waitName = (wait: WaitSpec): string => `wait/${wait.kind}/${wait.name}`
export const deferredName = (kind: "approval" | "signal", name: string): string => `${kind}/${name}`

export const approvalDeferred = (name: string) =>
  DurableDeferred.make(deferredName("approval", name), { success: Decision })
export const signalDeferred = (name: string) =>
  DurableDeferred.make(deferredName("signal", name), { success: Schema.Json })

export const compileWait =
  (def: Definition, wait: WaitSpec): Compiled =>
  (input) =>
    Effect.gen(function* () {
      // Journals when the wait began (and what for); `DurableClient` lists it as what the execution waits on.
      const details = wait.details
      yield* details === undefined
        ? activity(def, waitName(wait), Clock.currentTimeMillis, Schema.Number)
        : activity(
            def,
            waitName(wait),
            Effect.flatMap(Clock.currentTimeMillis, (since) =>
              Effect.sync(() => ({ since, details: details(input) }))
            )
          )
      const decode = Schema.decodeUnknownEffect(Schema.toCodecJson(wait.schema))
      if (wait.kind === "signal") {
        const value = yield* DurableDeferred.await(signalDeferred(wait.name))
        return yield* Effect.mapError(decode(value), errorToJson)
      }
      const decision = yield* DurableDeferred.await(approvalDeferred(wait.name))
      if (!decision.approved) {
        return yield* Effect.fail(
          errorToJson(
            new ApprovalRejectedError({
              approval: wait.name,
              by: decision.by,
              ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
              message:
                `approval ${wait.name} was rejected by ${decision.by}` +
                (decision.reason !== undefined ? `: ${decision.reason}` : "")
            })
          )
        )
      }
      const value =
        decision.value === undefined ? undefined : yield* Effect.mapError(decode(decision.value), errorToJson)
      return { approved: true, by: decision.by, at: decision.at, value }
    })
