import type IsolatedVM from "isolated-vm"

type Ivm = typeof IsolatedVM

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
  /** `(send, hostNames, outputBytes) => dispatch`: installs the prelude for one execution. */
  readonly install: IsolatedVM.Reference<(...args: ReadonlyArray<unknown>) => unknown>
}

export interface Lease {
  readonly isolate: IsolatedVM.Isolate
  /** A context prepared in idle time, when the isolate came from the pool (undefined if that failed). */
  readonly warm: Promise<Warm | undefined> | undefined
  /** `reusable: false` (a limit kill, work still running in it) disposes the isolate. */
  release(reusable: boolean): void
}

export interface Pool {
  acquire(memoryMb: number): Lease
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
  ivm: Ivm,
  idleMax: number,
  prepare: (isolate: IsolatedVM.Isolate) => Promise<Warm>
): Pool => {
  interface Idle {
    readonly isolate: IsolatedVM.Isolate
    readonly warm: Promise<Warm | undefined>
  }
  const idle = new Map<number, Array<Idle>>()
  let closed = false
  const create = (memoryMb: number) => {
    stats.created++
    return new ivm.Isolate({ memoryLimit: memoryMb })
  }
  return {
    acquire: (requestedMb) => {
      const memoryMb = Math.max(8, Math.ceil(requestedMb))
      const entry = idle.get(memoryMb)?.pop()
      const isolate = entry?.isolate ?? create(memoryMb)
      let released = false
      return {
        isolate,
        warm: entry?.warm,
        release: (reusable) => {
          if (released) return
          released = true
          if (closed || !reusable || idleMax <= 0 || isolate.isDisposed) return dispose(isolate)
          const list = idle.get(memoryMb) ?? []
          if (list.length >= idleMax || isolate.getHeapStatisticsSync().used_heap_size > keepBelowBytes) {
            stats.disposedDirty++
            return dispose(isolate)
          }
          list.push({ isolate, warm: prepare(isolate).catch(() => undefined) })
          idle.set(memoryMb, list)
        }
      }
    },
    close: () => {
      closed = true
      for (const list of idle.values()) for (const entry of list.splice(0)) dispose(entry.isolate)
    }
  }
}
