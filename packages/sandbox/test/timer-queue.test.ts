import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, FiberSet } from "effect"
import { TestClock } from "effect/testing"
import * as TimerQueue from "../src/TimerQueue.ts"

// The queue on its own, on the TestClock: which timer fires when, in host time.
const setup = Effect.gen(function* () {
  const runFork = yield* FiberSet.makeRuntime<never>()
  const fired: Array<[number, number]> = []
  const clock = yield* Clock.Clock
  const queue = yield* TimerQueue.make({
    runFork,
    fire: (id) => void fired.push([id, clock.currentTimeMillisUnsafe()])
  })
  return { queue, fired }
})

describe("TimerQueue", () => {
  it.effect("fires overdue timers by deadline, not by when they reached the host", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { queue, fired } = yield* setup
        // The code's clock runs 1,000,000 ms ahead of the host's.
        queue.add(1, 1_000_050, 1_000_000)
        queue.add(2, 1_000_030, 1_000_000)
        // Registered with the others, but reaching the host 40 ms late: due 10 ms ago.
        yield* TestClock.adjust(40)
        queue.add(3, 1_000_001, 1_000_000)
        queue.add(4, 1_000_001, 1_000_000)
        yield* TestClock.adjust(20)
        assert.deepStrictEqual(fired, [
          [2, 30],
          [3, 40],
          [4, 40],
          [1, 50]
        ])
        assert.strictEqual(queue.size(), 0)
      })
    )
  )

  it.effect("a quicker registration moves every deadline; a removed timer never fires", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { queue, fired } = yield* setup
        // The first registration took 30 ms to arrive; the second 0 ms: the offset is the lower.
        yield* TestClock.adjust(30)
        queue.add(1, 100, 0)
        queue.add(2, 140, 40)
        queue.add(3, 120, 40)
        queue.remove(3)
        yield* TestClock.adjust(200)
        assert.deepStrictEqual(fired, [
          [1, 90],
          [2, 130]
        ])
      })
    )
  )
})
