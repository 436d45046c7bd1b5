/**
 * A per-server concurrency limit for plain callbacks (internal). The tool-call hot path runs
 * as one `Effect.callback`, so taking a slot must be a synchronous decision, not an Effect.
 */

interface Waiter {
  readonly start: () => void
  readonly cancel: () => void
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
   * Runs `start` now if a slot is free, else when one frees up. If `signal` aborts first, or
   * `waitMs` passes first (then `onTimeout` runs), `start` never runs. Whoever runs `start`
   * holds a slot and must call `release` exactly once.
   */
  acquire(start: () => void, signal: AbortSignal, waitMs: number, onTimeout: () => void): void {
    if (this.active < this.max && this.#queue.length === 0) {
      this.active++
      start()
      return
    }
    const timer = setTimeout(() => {
      this.#remove(waiter)
      signal.removeEventListener("abort", onAbort)
      onTimeout()
    }, waitMs)
    const onAbort = () => {
      this.#remove(waiter)
      clearTimeout(timer)
    }
    const waiter: Waiter = {
      start: () => {
        clearTimeout(timer)
        signal.removeEventListener("abort", onAbort)
        start()
      },
      cancel: onAbort
    }
    signal.addEventListener("abort", onAbort, { once: true })
    this.#queue.push(waiter)
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
