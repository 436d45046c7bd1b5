// The restart policy is an Effect Schedule: exponential from the backoff, capped at 32×, done
// after maxRestarts restarts in a row.
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Pull, Schedule } from "effect"
import { restartSchedule } from "../src/Supervisor.ts"

describe("Supervisor", () => {
  it.effect("restartSchedule: doubling delays, capped at 32× the backoff, done after maxRestarts", () =>
    Effect.gen(function* () {
      const step = yield* Schedule.toStep(restartSchedule(100, 8))
      const delays: Array<number> = []
      for (let i = 0; i < 10; i++) {
        const next = yield* Pull.catchDone(step(0, undefined), () => Effect.succeed(undefined))
        if (next === undefined) break
        delays.push(Duration.toMillis(next[1]))
      }
      assert.deepStrictEqual(delays, [100, 200, 400, 800, 1600, 3200, 3200, 3200])
    })
  )
})
