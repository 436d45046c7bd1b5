/**
 * Each execution gets its own `WorkflowContext` (@tta/core), even when one runner runs several at
 * once: by default its id is the execution id; the `context` option derives it from the input.
 */
import { Primitive, sequence, WorkflowContext } from "@tta/core"
import { Deferred, Effect, Schema } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { keyOf } from "../src/Activities.ts"
import { Durable, DurableContext, Store } from "../src/index.ts"
import { type Scratch, scratch } from "./support.ts"

let s: Scratch
afterEach(() => s?.cleanup())

/** What a step sees: the WorkflowContext and the execution it runs in. */
const seen = Effect.gen(function* () {
  const ctx = yield* WorkflowContext
  const durable = yield* DurableContext.DurableContext
  return {
    workflowId: ctx.workflowId,
    metadata: ctx.metadata,
    tags: ctx.tags,
    executionId: durable.executionId,
    idempotencyKey: durable.idempotencyKey
  }
})

/**
 * A definition whose executions wait in their first step until two have arrived (so they surely
 * overlap), then read their context in two later steps.
 */
const overlapping = (options: Partial<Durable.WorkflowOptions<string>>) =>
  Effect.gen(function* () {
    const arrived = yield* Deferred.make<void>()
    let count = 0
    const meet = (input: string) =>
      Effect.suspend(() => {
        count += 1
        return count === 2 ? Deferred.succeed(arrived, undefined) : Deferred.await(arrived)
      }).pipe(Effect.as(input))
    const flow = Durable.workflow(
      "ctx",
      sequence(
        Primitive.step("meet", meet),
        Primitive.step("first", (_: string) => seen),
        Primitive.step("second", (first: unknown) => Effect.map(seen, (second) => ({ first, second })))
      ),
      { input: Schema.String, ...options }
    )
    return { flow, arrivals: () => count }
  })

const runBoth = (options: Partial<Durable.WorkflowOptions<string>>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const { flow, arrivals } = yield* overlapping(options)
      s = scratch()
      const runner = Durable.runner({ store: Store.embedded({ path: `${s.dir}/j.db` }), workflows: [flow] })
      return yield* Effect.provide(
        Effect.gen(function* () {
          const results = yield* Effect.all([flow.run("a"), flow.run("b")], { concurrency: "unbounded" })
          const ids = yield* Effect.all([flow.executionId("a"), flow.executionId("b")])
          return { results: results as ReadonlyArray<any>, ids, arrivals: arrivals() }
        }),
        runner
      )
    }) as Effect.Effect<
      { results: ReadonlyArray<any>; ids: ReadonlyArray<string>; arrivals: number },
      unknown
    >
  )

describe("WorkflowContext per execution", () => {
  it("two concurrent executions on one runner each see their own (default: the execution id)", async () => {
    const out = await runBoth({})
    expect(out.arrivals).toBe(2) // both were inside "meet" together: they overlapped
    expect(out.ids[0]).not.toBe(out.ids[1])
    out.results.forEach((result, i) => {
      const own = { workflowId: out.ids[i], metadata: {}, tags: [], executionId: out.ids[i] }
      // each step's idempotency key is its own: SHA-256 of `<execution id>-<step>` (computed on demand)
      expect(result).toEqual({
        first: { ...own, idempotencyKey: keyOf(out.ids[i]!, "first") },
        second: { ...own, idempotencyKey: keyOf(out.ids[i]!, "second") }
      })
    })
  })

  it("the context option derives id, metadata and tags from the input and the execution", async () => {
    const out = await runBoth({
      context: (input, execution) => ({
        workflowId: `run-${input}`,
        metadata: {
          workflow: execution.workflow,
          version: execution.version,
          executionId: execution.executionId
        },
        tags: [input]
      })
    })
    expect(out.arrivals).toBe(2)
    ;(["a", "b"] as const).forEach((input, i) => {
      const own = {
        workflowId: `run-${input}`,
        metadata: { workflow: "ctx", version: "1", executionId: out.ids[i] },
        tags: [input],
        executionId: out.ids[i]
      }
      expect(out.results[i]).toMatchObject({ first: own, second: own })
    })
  })
})
