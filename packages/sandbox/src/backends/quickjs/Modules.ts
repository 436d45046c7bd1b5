import type { QuickJSWASMModule } from "quickjs-emscripten"
import { calibrate } from "./Interrupts.ts"
import * as Machine from "./Machine.ts"

/**
 * QuickJS WebAssembly modules, each with a memory of fixed maximum size, lent to one execution at
 * a time. QuickJS's own memory limit does not bound the host in this build (without
 * `malloc_usable_size` it counts allocations, not their bytes: a 128 MB-limited runtime grew its
 * WebAssembly memory to 2 GB), and WebAssembly memory never shrinks. So the memory's maximum is the
 * bound: an execution with a limit of L MB runs in a module whose memory cannot grow past
 * L + {@link overheadMb} MB, and a later execution reuses that memory instead of growing another.
 * Each module holds one {@link Machine.Machine} (a runtime and context with the prelude), reset
 * after every execution.
 */

/** Static data, the C stack, the runtime, the context and the prelude, beside the code's own heap. */
export const overheadMb = 16
const pageBytes = 64 * 1024
const mbPages = (1024 * 1024) / pageBytes
// Emscripten's INITIAL_MEMORY for these builds: the memory must start at least this large.
const initialPages = 16 * mbPages
// Idle modules kept per memory size; more than this (after a burst of concurrent executions) are dropped.
const maxIdle = 2

// The package compiles without the DOM library, where the WebAssembly types live.
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => unknown
}

export interface Lease {
  readonly machine: Machine.Machine
  /** Gives the machine back: kept ("restored"), its module kept for a new one ("freed"), or dropped. */
  release(outcome: Machine.Outcome): void
}

export interface Modules {
  acquire(memoryMb: number): Promise<Lease>
  /** An idle module of that size, synchronously (no promise turn on the hot path), if there is one. */
  take(memoryMb: number): Lease | undefined
}

export const make = (): Modules => {
  // An idle module, with its machine unless the last one was freed (a new one is made when lent).
  interface Idle {
    readonly module: QuickJSWASMModule
    readonly machine: Machine.Machine | undefined
  }
  const idle = new Map<number, Array<Idle>>()
  let lib: Promise<typeof import("quickjs-emscripten")> | undefined
  const create = async (memoryMb: number) => {
    lib ??= import("quickjs-emscripten")
    const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = await lib
    const maximum = Math.max(initialPages, Math.ceil((memoryMb + overheadMb) * mbPages))
    const wasmMemory = new (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly.Memory({
      initial: initialPages,
      maximum
    })
    const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory }))
    calibrate(module)
    return Machine.make(module)
  }
  const lend = (key: number, machine: Machine.Machine): Lease => {
    let released = false
    return {
      machine,
      release: (outcome) => {
        if (released) return
        released = true
        if (outcome === "broken") return
        const list = idle.get(key) ?? []
        if (list.length < maxIdle) {
          list.push({ module: machine.module, machine: outcome === "restored" ? machine : undefined })
        }
        idle.set(key, list)
      }
    }
  }
  const take = (memoryMb: number): Lease | undefined => {
    const key = Math.ceil(memoryMb)
    const entry = idle.get(key)?.pop()
    if (entry === undefined) return undefined
    try {
      return lend(key, entry.machine ?? Machine.make(entry.module))
    } catch {
      // QuickJS could not make a runtime in this module: drop it, the caller makes a new one.
      return undefined
    }
  }
  return {
    take,
    acquire: async (memoryMb) =>
      take(memoryMb) ?? lend(Math.ceil(memoryMb), await create(Math.ceil(memoryMb)))
  }
}
