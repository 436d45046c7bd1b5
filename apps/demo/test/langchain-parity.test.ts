// The root bench compares @tta/core with LangChain.js on the same work: both sides of every
// workload must compute the same result, or the timings compare different things.
import { RunnableLambda } from "@langchain/core/runnables"
import { afterEach, describe, expect, it, vi } from "vitest"
import {
  allComparisons,
  fallbackComparison,
  parallelComparison,
  retryComparison,
  sequenceComparison,
  stockRetry,
  withRetryNoDelay
} from "../bench/comparison.ts"

// Delays (ms) of the timers set while `run` runs, with fake timers so nothing really sleeps.
const timerDelays = async (run: () => Promise<unknown>) => {
  const delays: Array<number> = []
  vi.useFakeTimers()
  const real = globalThis.setTimeout
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0)
    return real(fn, ms)
  }) as typeof setTimeout)
  const result = run()
  await vi.runAllTimersAsync()
  return { result: await result, delays }
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe("LangChain.js comparison workloads", () => {
  for (const c of allComparisons()) {
    it(`${c.id}: @tta/core and LangChain produce the expected result`, async () => {
      expect(await c.core(c.input)).toEqual(c.expected)
      expect(c.normalize(await c.langchain(c.input))).toEqual(c.expected)
    })
  }

  it("sequence: 100 increments on both sides, for any input", async () => {
    const c = sequenceComparison(100)
    expect(await c.core(5)).toBe(105)
    expect(await c.langchain(5)).toBe(105)
  })

  it("parallel: branch i gives input + i on both sides, in branch order", async () => {
    const c = parallelComparison(100)
    const want = Array.from({ length: 100 }, (_, i) => 7 + i)
    expect(await c.core(7)).toEqual(want)
    expect(c.normalize(await c.langchain(7))).toEqual(want)
  })

  it("retry: both sides take exactly three attempts, on every run", async () => {
    const c = retryComparison(3)
    for (let run = 0; run < 3; run++) {
      // n + attempts: 10 + 3 proves the third attempt is the one that returned.
      expect(await c.core(10)).toBe(13)
      expect(await c.langchain(10)).toBe(13)
    }
  })

  it("retry: both sides give up after three attempts when the step keeps failing", async () => {
    const c = retryComparison(4, 3)
    await expect(c.core(0)).rejects.toThrow("transient")
    await expect(c.langchain(0)).rejects.toThrow("transient")
  })

  it("withRetryNoDelay keeps RunnableRetry's onFailedAttempt and attempt count", async () => {
    const seen: Array<string> = []
    let calls = 0
    const chain = withRetryNoDelay(
      RunnableLambda.from((n: number) => {
        if (++calls < 3) throw new Error(`fail ${calls}`)
        return n
      }),
      3
    )
    chain.onFailedAttempt = (error) => {
      seen.push(error.message)
    }
    const { result, delays } = await timerDelays(() => chain.invoke(1))
    expect(result).toBe(1)
    expect(seen).toEqual(["fail 1", "fail 2"])
    expect(calls).toBe(3)
    expect(delays.filter((ms) => ms > 0)).toEqual([])
  })

  it("stock withRetry backs off at least 1 s, then 2 s (why the bench uses withRetryNoDelay)", async () => {
    const { result, delays } = await timerDelays(() => stockRetry(3)(10))
    expect(result).toBe(13)
    const waits = delays.filter((ms) => ms > 0)
    expect(waits).toHaveLength(2)
    expect(waits[0]).toBeGreaterThanOrEqual(1_000)
    expect(waits[1]).toBeGreaterThanOrEqual(2_000)
  })

  it("fallback: the alternative's result on both sides", async () => {
    const c = fallbackComparison()
    expect(await c.core(4)).toBe(8)
    expect(await c.langchain(4)).toBe(8)
  })
})
