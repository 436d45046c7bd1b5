import { Clock, Effect, type Fiber } from "effect"

/**
 * The pending timers of one execution, in one queue ordered by (deadline, id), with one fiber
 * asleep until the earliest. Timers fire one at a time, each after the previous one's turn in
 * the sandbox has run, so an interval re-armed by its callback is ordered against the rest by
 * its new deadline, as when timers fire on time, even when the host is late.
 */
export interface TimerQueue {
  /** Adds (or re-arms) timer `id`, due at `due` on the code's clock, registered at `calledAt`. */
  readonly add: (id: number, due: number, calledAt: number) => void
  readonly remove: (id: number) => void
  readonly size: () => number
}

interface Entry {
  readonly id: number
  readonly due: number
}

const before = (a: Entry, b: Entry) => a.due < b.due || (a.due === b.due && a.id < b.id)

export const make = Effect.fnUntraced(function* (options: {
  readonly runFork: (effect: Effect.Effect<void>) => Fiber.Fiber<void>
  /** Runs timer `id` in the sandbox; returns its turn, awaited before the next timer fires. */
  readonly fire: (id: number) => Promise<void> | void
}) {
  const clock = yield* Clock.Clock
  const queue: Array<Entry> = []
  const byId = new Map<number, Entry>()
  // The code's clock may not be the host's (a backend may run the code in another process or on
  // another machine, as E2B does): a deadline becomes host time through offset = min over the
  // registrations of (host receive time - code call time). The quickest registration bounds the
  // skew best, and all deadlines move by the same amount, so a skewed or remote clock still gives
  // the timers their relative order and spacing.
  let offset = Number.POSITIVE_INFINITY
  let fiber: Fiber.Fiber<void> | undefined
  // The deadline (code clock) the fiber sleeps until; undefined while it fires a timer.
  let sleepingFor: number | undefined
  let generation = 0

  const indexOf = (e: Entry) => {
    let lo = 0
    let hi = queue.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (before(queue[mid]!, e)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const drop = (id: number) => {
    const e = byId.get(id)
    if (e === undefined) return
    byId.delete(id)
    queue.splice(indexOf(e), 1)
  }

  const loop = (mine: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      while (mine === generation && queue.length > 0) {
        const head = queue[0]!
        const wait = head.due + offset - clock.currentTimeMillisUnsafe()
        if (wait > 0) {
          sleepingFor = head.due
          yield* Effect.sleep(wait)
          sleepingFor = undefined
          continue
        }
        drop(head.id)
        const turn = options.fire(head.id)
        if (turn !== undefined) yield* Effect.promise(() => turn)
      }
      if (mine === generation) fiber = undefined
    })
  const start = () => {
    const mine = ++generation
    const previous = fiber
    sleepingFor = undefined
    fiber = options.runFork(loop(mine))
    previous?.interruptUnsafe()
  }

  const queueOf: TimerQueue = {
    add: (id, due, calledAt) => {
      const skew = clock.currentTimeMillisUnsafe() - calledAt
      const moved = skew < offset
      if (moved) offset = skew
      drop(id)
      const e = { id, due }
      byId.set(id, e)
      queue.splice(indexOf(e), 0, e)
      // Wake the fiber only when it sleeps for too long: while it fires a timer it re-reads the queue.
      if (fiber === undefined || (sleepingFor !== undefined && (moved || due < sleepingFor))) start()
    },
    remove: drop,
    size: () => queue.length
  }
  return queueOf
})
