/**
 * The workloads of @tta/core's own bench (packages/core/bench/workloads.ts), each beside LangChain.js
 * runnables (`@langchain/core`) doing the same work, for the root `pnpm bench` side-by-side.
 * Steps do no real work on purpose: what is measured is what each library adds around a step. So a
 * failing step throws an Error built once up front (a fresh `new Error` costs ~2 µs of stack capture
 * here, on either side, per failure).
 */
import type { CallbackManagerForChainRun } from "@langchain/core/callbacks/manager"
import {
  type Runnable,
  RunnableBinding,
  type RunnableConfig,
  RunnableLambda,
  RunnableParallel,
  RunnableRetry,
  RunnableSequence
} from "@langchain/core/runnables"
import { fallback, retry, step } from "@tta/core"
import { Effect } from "effect"
import { parallelWorkload, sequenceWorkload } from "../../../packages/core/bench/workloads.ts"

export interface Comparison {
  readonly id: string
  readonly title: string
  readonly input: number
  /** The output both sides must produce (LangChain's after `normalize`). */
  readonly expected: unknown
  /** One run with @tta/core (`Effect.runPromise` of the workflow). */
  readonly core: (input: number) => Promise<unknown>
  /** One run with LangChain.js (`runnable.invoke`). */
  readonly langchain: (input: number) => Promise<unknown>
  /** Brings LangChain's output to the core's shape; only used to check results, never timed. */
  readonly normalize: (output: unknown) => unknown
}

const same = (output: unknown) => output

/**
 * `withRetry` minus the waiting. `RunnableRetry` hands its attempts to its bundled p-retry with
 * p-retry's default backoff (1 s minimum, ×2 per retry, randomised ×1–2) and `withRetry` has no
 * option to change it (only `stopAfterAttempt` and `onFailedAttempt`), so a chain that fails twice
 * would measure 3–6 s of sleeping. This keeps everything else of RunnableRetry: `stopAfterAttempt`
 * attempts, `onFailedAttempt`, and each attempt invoked as a child run tagged `retry:attempt:N`.
 */
export class NoDelayRetry<I, O> extends RunnableRetry<I, O> {
  protected override async _invoke(
    input: I,
    config?: Partial<RunnableConfig>,
    runManager?: CallbackManagerForChainRun
  ): Promise<O> {
    for (let attempt = 1; ; attempt++) {
      try {
        // What RunnableRetry's own `super.invoke` calls: the bound runnable with the attempt's config.
        return await RunnableBinding.prototype.invoke.call(
          this,
          input,
          this._patchConfigForRetry(attempt, config, runManager)
        )
      } catch (error) {
        if (attempt >= this.maxAttemptNumber) throw error
        await this.onFailedAttempt(error as Error, input)
      }
    }
  }
}

/** `runnable.withRetry({ stopAfterAttempt })` with no delay between attempts (see NoDelayRetry). */
export const withRetryNoDelay = <I, O>(runnable: Runnable<I, O>, stopAfterAttempt: number) =>
  new NoDelayRetry<I, O>({ bound: runnable, kwargs: {}, config: {}, maxAttemptNumber: stopAfterAttempt })

/** core's `sequenceWorkload`: 100 steps n → n + 1; LangChain: a RunnableSequence of 100 RunnableLambdas. */
export const sequenceComparison = (steps = 100): Comparison => {
  const w = sequenceWorkload(steps)
  const inc = RunnableLambda.from((n: number) => n + 1)
  // RunnableSequence.from takes [first, ...middle, last]: at least two steps.
  const chain = RunnableSequence.from<number, number>([
    inc,
    ...Array.from({ length: steps - 2 }, () => inc),
    inc
  ])
  return {
    id: w.id,
    title: w.title,
    input: w.input,
    expected: w.expected,
    core: (input) => Effect.runPromise(w.tta(input)),
    langchain: (input) => chain.invoke(input),
    normalize: same
  }
}

/**
 * core's `parallelWorkload`: branch i computes n + i, all at once; LangChain: a RunnableParallel
 * of 100 RunnableLambdas. RunnableParallel returns an object keyed by branch, core an array.
 */
export const parallelComparison = (width = 100): Comparison => {
  const w = parallelWorkload(width)
  const keys = Array.from({ length: width }, (_, i) => `branch-${i}`)
  const map = RunnableParallel.from<number>(
    Object.fromEntries(keys.map((key, i) => [key, RunnableLambda.from((n: number) => n + i)]))
  )
  return {
    id: w.id,
    title: w.title,
    input: w.input,
    expected: w.expected,
    core: (input) => Effect.runPromise(w.tta(input)),
    langchain: (input) => map.invoke(input),
    normalize: (output) => keys.map((key) => (output as Record<string, unknown>)[key])
  }
}

/**
 * A step that throws until attempt `succeedOn` (3: fails twice), retried with no delay on both
 * sides and `attempts` attempts allowed: core `retry({ times: attempts - 1 })` (retries after the
 * first attempt; without `backoff`/`schedule` core retries at once) and LangChain
 * `withRetry({ stopAfterAttempt: attempts })` minus its fixed backoff (NoDelayRetry).
 * Both fail with an `Error` (LangChain's retry only retries thrown Errors; anything else becomes a
 * TypeError that p-retry does not retry).
 */
export const retryComparison = (succeedOn = 3, attempts = succeedOn): Comparison => {
  // Each side has its own attempt counter, reset at the start of every run (runs never overlap).
  let coreCalls = 0
  let lcCalls = 0
  const coreError = new Error("transient")
  const lcError = new Error("transient")
  const flaky = step("flaky", (n: number) =>
    Effect.suspend(() => (++coreCalls < succeedOn ? Effect.fail(coreError) : Effect.succeed(n + coreCalls)))
  )
  const flow = flaky.pipe(retry({ times: attempts - 1 }))
  const chain = withRetryNoDelay(
    RunnableLambda.from((n: number) => {
      if (++lcCalls < succeedOn) throw lcError
      return n + lcCalls
    }),
    attempts
  )
  return {
    id: `retry-attempt-${succeedOn}`,
    title: `retry succeeding on attempt ${succeedOn}`,
    input: 0,
    expected: succeedOn,
    core: (input) => {
      coreCalls = 0
      return Effect.runPromise(flow.run(input))
    },
    langchain: (input) => {
      lcCalls = 0
      return chain.invoke(input)
    },
    normalize: same
  }
}

/** The stock `withRetry` on the same flaky step, to show what its built-in backoff costs. */
export const stockRetry = (succeedOn = 3) => {
  let calls = 0
  const chain = RunnableLambda.from((n: number) => {
    if (++calls < succeedOn) throw new Error("transient")
    return n + calls
  }).withRetry({ stopAfterAttempt: succeedOn })
  return (input: number) => {
    calls = 0
    return chain.invoke(input)
  }
}

/**
 * The primary fails (with an `Error`), the one alternative doubles the input: core
 * `fallback(primary, alternative)`; LangChain `primary.withFallbacks([alternative])`.
 */
export const fallbackComparison = (): Comparison => {
  const coreError = new Error("primary down")
  const lcError = new Error("primary down")
  const flow = fallback(
    step("primary", (_: number) => Effect.fail(coreError)),
    step("double", (n: number) => Effect.succeed(n * 2))
  )
  const chain = RunnableLambda.from((_: number): number => {
    throw lcError
  }).withFallbacks([RunnableLambda.from((n: number) => n * 2)])
  return {
    id: "fallback",
    title: "fallback after a failing primary",
    input: 21,
    expected: 42,
    core: (input) => Effect.runPromise(flow.run(input)),
    langchain: (input) => chain.invoke(input),
    normalize: same
  }
}

export const allComparisons = (): ReadonlyArray<Comparison> => [
  sequenceComparison(100),
  parallelComparison(100),
  retryComparison(3),
  fallbackComparison()
]
