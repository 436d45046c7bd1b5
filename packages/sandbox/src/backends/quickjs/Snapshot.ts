import type { QuickJSContext, QuickJSWASMModule } from "quickjs-emscripten"

/**
 * A copy of a QuickJS WebAssembly module's memory, put back after every execution: everything
 * QuickJS knows (runtime, context, globals, prelude, job queue, loaded modules, the allocator's
 * own state) lives in that memory, so restoring its bytes returns the module to exactly the state
 * it was in when the copy was taken. No state of one execution can reach the next.
 *
 * The memory is laid out by Emscripten as static data, then the C stack (5 MB here, growing down),
 * then the heap. Between calls nothing on the stack is live, so the copy leaves out the stack's
 * untouched (zero) pages, keeping a margin above the static data. A context with the prelude is
 * ~90 KB of heap: a restore copies ~250 KB, ~2–3 µs.
 */
export interface Snapshot {
  /** Puts the copied bytes back. */
  restore(): void
}

const page = 4096
// Kept in the copy above the start of the zero run: static data that is zero now may not stay so.
const margin = 64 * 1024
// Shorter zero runs are not the stack: copy everything.
const minStackRun = 1024 * 1024

const zeroPage = Buffer.alloc(page)
// memcmp against a zero page: the scans below read ~5 MB once per machine (~0.5 ms, not ~5 ms in JS).
const isZeroPage = (memory: Buffer, at: number): boolean => zeroPage.compare(memory, at, at + page) === 0

/**
 * Copies the module's memory as it is now. Call it on a module whose memory has never held more
 * than it holds now: above the heap's top it must still be zero (as a new memory is).
 */
export const capture = (module: QuickJSWASMModule): Snapshot => {
  // An address the allocator hands out (asked first: asking writes to the heap).
  const lib = (module as unknown as { module: { _malloc(n: number): number; _free(p: number): void } }).module
  const inHeap = lib._malloc(16)
  lib._free(inHeap)
  const memory = module.getWasmMemory()
  const bytes = Buffer.from(memory.buffer)
  // The heap's top: the last byte ever written (the allocator's top chunk header included).
  let lastPage = bytes.length - page
  while (lastPage > 0 && isZeroPage(bytes, lastPage)) lastPage -= page
  let last = lastPage + page - 1
  while (last > lastPage && bytes[last] === 0) last--
  const end = Math.min(bytes.length, (last + 8) & ~7)
  // The longest run of zero pages below it: the stack's unused part.
  let from = 0
  let to = 0
  let start = -1
  for (let at = 0; at < end; at += page) {
    if (isZeroPage(bytes, at)) {
      if (start < 0) start = at
      continue
    }
    if (start >= 0 && at - start > to - from) [from, to] = [start, at]
    start = -1
  }
  // Skipped only if it lies below the heap: a zero run inside the heap would be memory in use.
  const skip = to - from >= minStackRun && to <= inHeap
  const lowEnd = skip ? from + margin : end
  const low = new Uint8Array(memory.buffer, 0, lowEnd).slice()
  const high = skip ? new Uint8Array(memory.buffer, to, end - to).slice() : new Uint8Array(0)
  let view = new Uint8Array(memory.buffer)
  return {
    restore: () => {
      // The memory's buffer is replaced whenever it grows.
      if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer)
      view.set(low, 0)
      if (skip) view.set(high, to)
    }
  }
}

const baseOf = (context: QuickJSContext) => (context as unknown as { ctx: { value: number } }).ctx.value

/**
 * A restored context would give every execution the same `Math.random` sequence: its state is a
 * 64-bit word in the JSContext (seeded from the clock when the context was made). This finds that
 * word (the one a `Math.random()` call changes and an empty call does not) and returns a function
 * that gives it a new seed; undefined when it cannot be found unambiguously.
 */
export const reseeder = (module: QuickJSWASMModule, context: QuickJSContext): (() => void) | undefined => {
  const base = baseOf(context)
  const words = () => new BigUint64Array(module.getWasmMemory().buffer, base, 256)
  const random = context.unwrapResult(context.evalCode("Math.random"))
  const noop = context.unwrapResult(context.evalCode("(function () {})"))
  const call = (f: typeof random) => context.unwrapResult(context.callFunction(f, context.undefined))
  try {
    call(noop).dispose()
    const before = words().slice()
    call(noop).dispose()
    const afterNoop = words().slice()
    const r1 = call(random)
    const value1 = context.getNumber(r1)
    r1.dispose()
    const afterRandom = words()
    const slots: Array<number> = []
    for (let i = 0; i < afterRandom.length; i++) {
      if (afterRandom[i] !== afterNoop[i] && before[i] === afterNoop[i]) slots.push(i)
    }
    const slot = slots[0]
    if (slots.length !== 1 || slot === undefined) return undefined
    // Proof: the same seed gives the same number, another seed another one.
    const draw = (seed: bigint) => {
      words()[slot] = seed
      const h = call(random)
      const n = context.getNumber(h)
      h.dispose()
      return n
    }
    const first = draw(12345n)
    if (first !== draw(12345n) || first === draw(67890n) || Number.isNaN(value1)) return undefined
    const halves = () => new Uint32Array(module.getWasmMemory().buffer, base + slot * 8, 2)
    return () => {
      const state = halves()
      // Non-zero, as QuickJS requires of the state (the host's generator: no BigInt, no syscall).
      state[0] = ((Math.random() * 2 ** 32) >>> 0) | 1
      state[1] = (Math.random() * 2 ** 32) >>> 0
    }
  } finally {
    random.dispose()
    noop.dispose()
  }
}
