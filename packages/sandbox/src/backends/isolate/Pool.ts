import type IsolatedVM from "isolated-vm"

/**
 * Warm V8 isolates, lent to one execution at a time; each execution gets a new context in it, so
 * nothing the code defines (globals, changed prototypes, modules) is seen by the next one. An
 * isolate goes back to the pool only when the execution left it clean: not killed by a limit,
 * nothing still running in it, and its heap back near empty. isolated-vm's memory limit is per
 * isolate, so an isolate is never shared by two executions at once.
 */
/**
 * A context made (and the prelude compiled in it) while the isolate sat idle, so the next
 * execution does not wait for it. It has run no agent code: it is as fresh as a new one.
 */
export interface Warm {
  readonly context: IsolatedVM.Context
  /** `(send, hostNames, outputBytes) => dispatch`: binds the prelude installed in it to one execution. */
  readonly bind: IsolatedVM.Reference<(...args: ReadonlyArray<unknown>) => unknown>
}

export interface Lease {
  readonly isolate: IsolatedVM.Isolate
  /** A context prepared in idle time, when the isolate came from the pool (undefined if that failed). */
  readonly warm: Promise<Warm | undefined> | undefined
  /**
   * `reusable: false` (a limit kill, work still running in it) disposes the isolate; `tidy` (the
   * execution's references into it) runs only if the isolate is kept.
   */
  release(reusable: boolean, tidy: () => void): void
  /** The isolate is released when `settled` decides: the next acquire waits for it rather than make one. */
  releaseLater(settled: Promise<boolean>, tidy: () => void): void
}

export interface Pool {
  acquire(memoryMb: number): Promise<Lease>
  /** Disposes the idle isolates (when the layer closes). */
  close(): void
}

/** Isolates made in this process, for tests that check reuse. */
export const stats = { created: 0, disposedDirty: 0 }

// A heap this full after an execution is garbage the next execution would have to live beside.
const keepBelowBytes = 16 * 1024 * 1024

const dispose = (isolate: IsolatedVM.Isolate) => {
  if (!isolate.isDisposed) isolate.dispose()
}

export const make = (
  newIsolate: (memoryMb: number) => IsolatedVM.Isolate,
  /** False for an isolate the pool should not keep (made before a better way to make them existed). */
  current: (isolate: IsolatedVM.Isolate) => boolean,
  idleMax: number,
  prepare: (isolate: IsolatedVM.Isolate) => Promise<Warm>
): Pool => {
  interface Idle {
    readonly isolate: IsolatedVM.Isolate
    readonly warm: Promise<Warm | undefined>
    /** Its next context is made (or failed): an execution taking it need not wait. */
    ready: boolean
  }
  // An idle isolate whose next context is made, else the one that has been preparing longest (the
  // one just released has only begun: taking it made back-to-back executions wait ~300 µs for it).
  const take = (list: Array<Idle> | undefined): Idle | undefined => {
    if (list === undefined || list.length === 0) return undefined
    const at = list.findIndex((e) => e.ready)
    return list.splice(Math.max(at, 0), 1)[0]
  }
  const idle = new Map<number, Array<Idle>>()
  // Isolates on their way back (an execution ended inside a call that has not returned yet), and
  // acquires waiting for one: back-to-back executions then reuse one isolate instead of making more.
  const returning = new Map<number, number>()
  const waiting = new Map<number, Array<() => void>>()
  const wake = (memoryMb: number) => waiting.get(memoryMb)?.shift()?.()
  // Isolates of each size not disposed (idle, lent or on their way back).
  const live = new Map<number, number>()
  const count = (memoryMb: number, delta: number) => live.set(memoryMb, (live.get(memoryMb) ?? 0) + delta)
  let closed = false
  const create = (memoryMb: number) => {
    const isolate = newIsolate(memoryMb)
    stats.created++
    count(memoryMb, 1)
    return isolate
  }
  return {
    acquire: async (requestedMb) => {
      const memoryMb = Math.max(8, Math.ceil(requestedMb))
      // Up to `idleMax` isolates take turns: back-to-back executions then run in one isolate while
      // the one just used prepares its next context on its own thread. Past that, wait for one.
      if (
        (idle.get(memoryMb)?.length ?? 0) === 0 &&
        (returning.get(memoryMb) ?? 0) > 0 &&
        (live.get(memoryMb) ?? 0) >= idleMax
      ) {
        await new Promise<void>((resolve) => {
          const list = waiting.get(memoryMb) ?? []
          list.push(resolve)
          waiting.set(memoryMb, list)
        })
      }
      // While fewer than `idleMax` exist, a new isolate rather than wait for an idle one's next
      // context (made in ~300 µs after its release): then two isolates take turns, each preparing
      // while the other runs.
      const list = idle.get(memoryMb)
      const grow = list?.some((e) => e.ready) !== true && (live.get(memoryMb) ?? 0) < idleMax
      const entry = grow ? undefined : take(list)
      const isolate = entry?.isolate ?? create(memoryMb)
      let released = false
      const release = (reusable: boolean, tidy: () => void) => {
        if (released) return
        released = true
        const drop = () => {
          count(memoryMb, -1)
          dispose(isolate)
        }
        if (closed || !reusable || idleMax <= 0 || isolate.isDisposed || !current(isolate)) return drop()
        tidy()
        const list = idle.get(memoryMb) ?? []
        if (list.length >= idleMax || isolate.getHeapStatisticsSync().used_heap_size > keepBelowBytes) {
          stats.disposedDirty++
          return drop()
        }
        const entry: Idle = { isolate, warm: prepare(isolate).catch(() => undefined), ready: false }
        void entry.warm.then(() => {
          entry.ready = true
        })
        list.push(entry)
        idle.set(memoryMb, list)
      }
      return {
        isolate,
        warm: entry?.warm,
        release,
        releaseLater: (settled, tidy) => {
          returning.set(memoryMb, (returning.get(memoryMb) ?? 0) + 1)
          const back = (reusable: boolean) => {
            returning.set(memoryMb, (returning.get(memoryMb) ?? 1) - 1)
            release(reusable, tidy)
            wake(memoryMb)
          }
          settled.then(back, () => back(false))
        }
      }
    },
    close: () => {
      closed = true
      for (const list of idle.values()) for (const entry of list.splice(0)) dispose(entry.isolate)
      for (const list of waiting.values()) for (const resolve of list.splice(0)) resolve()
    }
  }
}
