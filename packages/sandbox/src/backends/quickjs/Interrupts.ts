import type { QuickJSContext, QuickJSWASMModule } from "quickjs-emscripten"

/**
 * QuickJS asks its interrupt handler only every 10,000 polls (loop back-edges and calls). A loop
 * whose body is one long builtin (`for (;;) new Array(1e6).fill(1)`, ~5 ms a turn) is then asked
 * every 50 s, far past any CPU limit. The countdown is an `int` in the JSContext, reset to 10,000
 * just before the handler runs; quickjs-emscripten has no setter, so this finds it in the
 * context's memory (the one int there equal to 10,000 at that moment) and lowers it when polls
 * come too far apart, so the handler runs about every {@link targetMs} whatever the loop does.
 * Tight loops keep the full countdown, so their cost is unchanged.
 */
const init = 10_000
const targetMs = 2
// Where in the JSContext the countdown lives: the same for every context of one build.
let offset: number | undefined | null

const locate = (heap: Int32Array, base: number): number | null => {
  let found: number | null = null
  // The struct is a few hundred bytes; the countdown sits after its intrinsic prototypes.
  for (let i = 0; i < 256; i++) {
    if (heap[(base >> 2) + i] !== init) continue
    if (found !== null) return null // ambiguous: leave the countdown alone
    found = i * 4
  }
  return found
}

const firstBudget = 100
const baseOf = (context: QuickJSContext) => (context as unknown as { ctx: { value: number } }).ctx.value

/**
 * Finds the countdown once per process, in a throwaway context: a new context's countdown does not
 * start at 10,000, but it is 10,000 whenever the handler runs.
 */
export const calibrate = (module: QuickJSWASMModule): void => {
  if (offset !== undefined) return
  const rt = module.newRuntime()
  const context = rt.newContext()
  rt.setInterruptHandler(() => {
    offset ??= locate(new Int32Array(module.getWasmMemory().buffer), baseOf(context))
    return true
  })
  context.evalCode("for (;;) {}").dispose()
  offset ??= null
  context.dispose()
  rt.dispose()
}

/**
 * Returns a function to call first in the interrupt handler (after {@link calibrate}). The first
 * countdown is short, so a slow loop is noticed within a few of its turns.
 */
export const pacer = (module: QuickJSWASMModule, context: QuickJSContext) => {
  let view = new Int32Array(module.getWasmMemory().buffer)
  const at = offset == null ? -1 : (baseOf(context) + offset) >> 2
  let budget = firstBudget
  if (at >= 0) view[at] = budget
  let last = performance.now()
  return (): void => {
    if (at < 0) return
    const now = performance.now()
    const elapsed = now - last
    last = now
    // The memory's buffer is replaced whenever it grows.
    if (view.buffer !== module.getWasmMemory().buffer) view = new Int32Array(module.getWasmMemory().buffer)
    if (view[at] !== init) return
    // Polls per ms so far, times the target: the countdown that brings the next call at the target.
    const next = elapsed <= 0 ? init : Math.round((budget * targetMs) / elapsed)
    budget = Math.max(1, Math.min(init, next))
    view[at] = budget
  }
}
