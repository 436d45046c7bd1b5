/**
 * The benchmark workloads, each built three ways: with @tta/core primitives, hand-written in plain
 * Effect, and hand-written in plain Effect with the same spans the primitives emit. Exported so
 * other implementations (e.g. LangChain.js runnables) can be measured on the same work.
 */
import { cache, parallel, retry, sequence, step } from "@tta/core"
import { Effect } from "effect"

export interface Workload {
  readonly id: string
  readonly title: string
  /** The input every variant is run with. */
  readonly input: number
  /** The output every variant must produce. */
  readonly expected: unknown
  /** With @tta/core primitives. */
  readonly tta: (input: number) => Effect.Effect<unknown, unknown>
  /** The same work hand-written in plain Effect, no tracing. */
  readonly effect: (input: number) => Effect.Effect<unknown, unknown>
  /** The same work in plain Effect with one `Effect.withSpan` wherever @tta/core opens a span when a tracer is installed. */
  readonly effectTraced: (input: number) => Effect.Effect<unknown, unknown>
}

const span = { captureStackTrace: false } as const
const traced = <A, E>(self: Effect.Effect<A, E>, name: string) =>
  Effect.withSpan(self, name, { ...span, attributes: { "tta.primitive.name": name } })

const incEffect = (n: number) => Effect.succeed(n + 1)

/** `steps` trivial steps (n → n + 1) one after another. */
export const sequenceWorkload = (steps = 100): Workload => {
  const inc = step("inc", incEffect)
  const flow = sequence(...Array.from({ length: steps }, () => inc))
  const chain = (wrap: (e: Effect.Effect<number>) => Effect.Effect<number>) => (input: number) => {
    let e = wrap(incEffect(input))
    for (let i = 1; i < steps; i++) e = Effect.flatMap(e, (n) => wrap(incEffect(n)))
    return e
  }
  const plain = chain((e) => e)
  const spanned = chain((e) => traced(e, "inc"))
  return {
    id: `sequence-${steps}`,
    title: `${steps}-step sequence`,
    input: 0,
    expected: steps,
    tta: flow.run,
    effect: plain,
    effectTraced: (input) => traced(spanned(input), "sequence")
  }
}

/** `width` trivial steps on the same input, all at once. */
export const parallelWorkload = (width = 100): Workload => {
  const fns = Array.from({ length: width }, (_, i) => (n: number) => Effect.succeed(n + i))
  const flow = parallel(fns.map((f, i) => step(`branch-${i}`, f)))
  const all = { concurrency: "unbounded" } as const
  return {
    id: `parallel-${width}`,
    title: `${width}-wide parallel`,
    input: 1,
    expected: fns.map((_, i) => 1 + i),
    tta: flow.run,
    effect: (input) =>
      Effect.all(
        fns.map((f) => f(input)),
        all
      ),
    effectTraced: (input) =>
      traced(
        Effect.all(
          fns.map((f, i) => traced(f(input), `branch-${i}`)),
          all
        ),
        "parallel"
      )
  }
}

/** A step that fails twice, then succeeds on the third attempt (no delay between attempts). */
export const retryWorkload = (succeedOn = 3): Workload => {
  // The attempt counter is reset at the start of every run (runs never overlap in the bench).
  let calls = 0
  const flaky = (n: number) =>
    Effect.suspend(() =>
      ++calls < succeedOn ? Effect.fail("transient" as const) : Effect.succeed(n + calls)
    )
  const fresh = <A, E>(self: Effect.Effect<A, E>) =>
    Effect.suspend(() => {
      calls = 0
      return self
    })
  const flow = step("flaky", flaky).pipe(retry({ times: succeedOn }))
  return {
    id: `retry-attempt-${succeedOn}`,
    title: `retry succeeding on attempt ${succeedOn}`,
    input: 0,
    expected: succeedOn,
    tta: (input) => fresh(flow.run(input)),
    effect: (input) => fresh(Effect.retry(flaky(input), { times: succeedOn })),
    effectTraced: (input) =>
      Effect.suspend(() => {
        let attempt = 0
        const once = Effect.suspend(() => {
          attempt++
          return Effect.withSpan(traced(flaky(input), "flaky"), "tta.retry.attempt", {
            ...span,
            attributes: { "tta.retry.attempt": attempt }
          })
        })
        return fresh(traced(Effect.retry(once, { times: succeedOn }), "retry"))
      })
  }
}

/** A hit in a warm cache with a TTL (freshness checked against the Clock, LRU order updated). */
export const cacheHitWorkload = (): Workload => {
  const compute = (n: number) => Effect.succeed(n * 2)
  const cached = step("compute", compute).pipe(cache({ key: String, ttl: "1 hour", capacity: 100 }))
  // The hand-written equivalent: a Map in insertion (LRU) order with expiry times.
  const store = new Map<string, { value: number; expiresAt: number }>()
  const handWritten = (input: number) =>
    Effect.clockWith((clock) => {
      const key = String(input)
      const hit = store.get(key)
      if (hit !== undefined && clock.currentTimeMillisUnsafe() < hit.expiresAt) {
        store.delete(key)
        store.set(key, hit)
        return Effect.succeed(hit.value)
      }
      return Effect.tap(compute(input), (value) =>
        Effect.sync(() => {
          store.set(key, { value, expiresAt: clock.currentTimeMillisUnsafe() + 3_600_000 })
          if (store.size > 100) store.delete(store.keys().next().value!)
        })
      )
    })
  // Warm both caches.
  Effect.runSync(cached.run(21))
  Effect.runSync(handWritten(21))
  return {
    id: "cache-hit",
    title: "cache hit",
    input: 21,
    expected: 42,
    tta: cached.run,
    effect: handWritten,
    effectTraced: (input) => traced(handWritten(input), "cache")
  }
}

export const allWorkloads = (): ReadonlyArray<Workload> => [
  sequenceWorkload(100),
  parallelWorkload(100),
  retryWorkload(3),
  cacheHitWorkload()
]
