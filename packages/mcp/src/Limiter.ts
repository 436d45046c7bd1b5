/**
 * A per-server concurrency limit for plain callbacks (internal). The tool-call hot path runs
 * as one `Effect.callback`, so taking a slot must be a synchronous decision, not an Effect.
 */

interface Waiter {
  readonly start: () => void
}

export class Limiter {
  readonly max: number
  active = 0
  readonly #queue: Array<Waiter> = []

  constructor(max: number) {
    this.max = Math.max(1, max)
  }

  get queued(): number {
    return this.#queue.length
  }

  /**
   * Runs `start` now if a slot is free, else when one frees up. If `waitMs` passes first,
   * `onTimeout` runs instead. Whoever runs `start` holds a slot and must call `release`
   * exactly once. Returns, for a queued caller, a function that leaves the queue (a no-op
   * once `start` or `onTimeout` has run); undefined when `start` ran at once.
   */
  acquire(start: () => void, waitMs: number, onTimeout: () => void): (() => void) | undefined {
    if (this.active < this.max && this.#queue.length === 0) {
      this.active++
      start()
      return undefined
    }
    const timer = setTimeout(() => {
      this.#remove(waiter)
      onTimeout()
    }, waitMs)
    const waiter: Waiter = {
      start: () => {
        clearTimeout(timer)
        start()
      }
    }
    this.#queue.push(waiter)
    return () => {
      clearTimeout(timer)
      this.#remove(waiter)
    }
  }

  release(): void {
    this.active--
    while (this.active < this.max && this.#queue.length > 0) {
      const next = this.#queue.shift() as Waiter
      this.active++
      next.start()
    }
  }

  #remove(waiter: Waiter): void {
    const i = this.#queue.indexOf(waiter)
    if (i >= 0) this.#queue.splice(i, 1)
  }
}
