// The bare engines under the backends, for the ratio rows of `pnpm bench`: what a caller of
// isolated-vm or quickjs-emscripten would write by hand for the same work, nothing of this package.
import ivmModule from "isolated-vm"
import { getQuickJS } from "quickjs-emscripten"

const ivm = ((ivmModule as unknown as { default?: typeof ivmModule }).default ??
  ivmModule) as typeof ivmModule
const qjs = await getQuickJS()

/** New isolate + context + module `export default 1+1` + read the value + dispose. */
export const rawIsolate = async (): Promise<void> => {
  const isolate = new ivm.Isolate({ memoryLimit: 128 })
  const context = await isolate.createContext()
  const m = isolate.compileModuleSync("export default 1+1")
  await m.instantiate(context, () => {
    throw new Error("no imports")
  })
  await m.evaluate()
  const v = await m.namespace.get("default", { copy: true })
  isolate.dispose()
  if (v !== 2) throw new Error("raw isolate: wrong value")
}

/** QuickJS runtime + memory limit + context + eval `1+1` + read + dispose. */
export const rawQuickJs = (): void => {
  const rt = qjs.newRuntime()
  rt.setMemoryLimit(128 * 1024 * 1024)
  const ctx = rt.newContext()
  const h = ctx.unwrapResult(ctx.evalCode("1+1"))
  const v = ctx.getNumber(h)
  h.dispose()
  ctx.dispose()
  rt.dispose()
  if (v !== 2) throw new Error("raw quickjs: wrong value")
}

/**
 * `for (...) await echo(i)` in one QuickJS context, `echo` a host function returning a promise
 * the host resolves on its next microtask (as an async host call is): ms per call.
 */
export const rawQuickJsHostCalls = async (calls: number): Promise<number> => {
  const rt = qjs.newRuntime()
  const ctx = rt.newContext()
  const echo = ctx.newFunction("echo", (arg) => {
    const n = ctx.getNumber(arg)
    const deferred = ctx.newPromise()
    queueMicrotask(() => {
      const v = ctx.newNumber(n)
      deferred.resolve(v)
      v.dispose()
      rt.executePendingJobs().dispose()
    })
    return deferred.handle
  })
  ctx.setProp(ctx.global, "echo", echo)
  echo.dispose()
  const t = performance.now()
  const result = ctx.unwrapResult(
    ctx.evalCode(`(async () => { for (let i = 0; i < ${calls}; i++) await echo(i); return 1 })()`)
  )
  rt.executePendingJobs().dispose()
  for (;;) {
    const state = ctx.getPromiseState(result)
    if (state.type !== "pending") {
      if (state.type === "fulfilled" && !state.notAPromise) state.value.dispose()
      if (state.type === "rejected") state.error.dispose()
      break
    }
    await new Promise<void>((r) => setImmediate(r))
  }
  const perCall = (performance.now() - t) / calls
  result.dispose()
  ctx.dispose()
  rt.dispose()
  return perCall
}

/** The same loop with `echo` a plain synchronous host function (no promise from the host): ms per call. */
export const rawQuickJsSyncHostCalls = (calls: number): number => {
  const rt = qjs.newRuntime()
  const ctx = rt.newContext()
  const echo = ctx.newFunction("echo", (arg) => ctx.newNumber(ctx.getNumber(arg)))
  ctx.setProp(ctx.global, "echo", echo)
  echo.dispose()
  const t = performance.now()
  const result = ctx.unwrapResult(
    ctx.evalCode(`(async () => { for (let i = 0; i < ${calls}; i++) await echo(i); return 1 })()`)
  )
  rt.executePendingJobs().dispose()
  const perCall = (performance.now() - t) / calls
  result.dispose()
  ctx.dispose()
  rt.dispose()
  return perCall
}
