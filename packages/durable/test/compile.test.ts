/**
 * The compiler keeps each primitive's semantics on the engine (in one process, embedded store):
 * parallel, branch, route, fallback, forEach, map/tap, retry (attempts journaled), timeout; and the
 * bad input it refuses at definition time.
 */
import {
  branch,
  cache,
  fallback,
  forEach,
  map,
  Primitive,
  parallel,
  retry,
  route,
  sequence,
  tap,
  timeout
} from "@tta/core"
import { Effect, Schedule, Schema } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Durable, DurableClient, DurableContext, Errors, Store } from "../src/index.ts"
import { type Scratch, scratch } from "./support.ts"

let s: Scratch
afterEach(() => s?.cleanup())

const runIn = <A, E>(
  workflows: ReadonlyArray<Durable.DurableWorkflow<any, any, any>>,
  program: Effect.Effect<A, E, any>
) => {
  s = scratch()
  const layer = Durable.runner({ store: Store.embedded({ path: `${s.dir}/j.db` }), workflows })
  return Effect.runPromise(Effect.provide(program, layer) as Effect.Effect<A, E>)
}

const Any = Schema.Json
const calls: Record<string, number> = {}
const counted = <I, O>(name: string, f: (i: I) => O) =>
  Primitive.step(name, (i: I) =>
    Effect.sync(() => {
      calls[name] = (calls[name] ?? 0) + 1
      return f(i)
    })
  )

describe("compiling primitives", () => {
  it("parallel (struct), branch, route, map, tap and forEach keep their results", async () => {
    const flow = Durable.workflow(
      "shapes",
      sequence(
        parallel({
          x: counted("double", (n: number) => n * 2),
          y: counted("square", (n: number) => n * n)
        }).pipe(map((o: { x: number; y: number }) => o.x + o.y)),
        branch(
          (n: number) => n > 10,
          counted("big", (n: number) => [n, n]),
          counted("small", (n: number) => [n])
        ),
        forEach(
          counted("item", (n: number) => n + 1),
          { concurrency: 2 }
        ).pipe(
          tap((xs: Array<number>) =>
            Effect.sync(() => {
              calls.tapped = xs.length
            })
          )
        ),
        route((xs: Array<number>) => (xs.length > 1 ? "many" : "one"), {
          many: counted("many", (xs: Array<number>) => xs.reduce((a, b) => a + b, 0)),
          one: counted("one", (xs: Array<number>) => xs[0]!)
        })
      ),
      { input: Schema.Number }
    )
    // 4 -> {8, 16} -> 24 -> big [24, 24] -> [25, 25] -> many 50
    expect(await runIn([flow], flow.run(4))).toBe(50)
    expect(calls.item).toBe(2)
    expect(calls.tapped).toBe(2)
  })

  it("retry re-runs a failing step as journaled attempts, each with its DurableContext", async () => {
    let attempts = 0
    const seen: Array<number> = []
    const flaky = Primitive.step("flaky", (_: unknown) =>
      Effect.gen(function* () {
        const ctx = yield* DurableContext.DurableContext
        seen.push(ctx.attempt)
        attempts++
        if (attempts < 3) return yield* Effect.fail({ _tag: "Flaky", attempt: attempts })
        return { ok: attempts }
      })
    )
    const flow = Durable.workflow("retrying", retry(flaky, { times: 5 }), { input: Any })
    const result = await runIn(
      [flow],
      Effect.gen(function* () {
        const value = yield* flow.run({ job: 1 })
        const id = yield* flow.executionId({ job: 1 })
        const client = yield* DurableClient.DurableClient
        return { value, detail: yield* client.show(id) }
      })
    )
    expect(result.value).toEqual({ ok: 3 })
    expect(seen).toEqual([1, 2, 3])
    expect(result.detail.activities.map((a) => [a.name, a.attempt, a.status])).toEqual([
      ["flaky", 1, "failed"],
      ["flaky", 2, "failed"],
      ["flaky", 3, "succeeded"]
    ])
    expect(result.detail.activities[0]!.error).toEqual({ _tag: "Flaky", attempt: 1 })
  })

  it("fallback tries the next step after a typed failure; timeout fails a step that runs too long", async () => {
    const broken = Primitive.step("broken", () => Effect.fail({ _tag: "Down" }))
    const slow = Primitive.step("slow", () => Effect.as(Effect.sleep("30 seconds"), "late"))
    const flow = Durable.workflow(
      "guarded",
      parallel({
        rescued: fallback(
          broken,
          counted("backup", () => "ok")
        ),
        limited: fallback(
          timeout(slow, "200 millis"),
          counted("fast", () => "in time")
        )
      }),
      { input: Any }
    )
    expect(await runIn([flow], flow.run(null))).toEqual({ rescued: "ok", limited: "in time" })
  })

  it("a step whose output is not JSON fails with NonJsonOutputError naming the step", async () => {
    const flow = Durable.workflow(
      "nonjson",
      sequence(
        counted("fine", () => 1),
        Primitive.lift("makesMap", () => new Map([[1, 2]]))
      ),
      { input: Any }
    )
    const exit = await runIn([flow], Effect.exit(flow.run(1)))
    expect(exit._tag).toBe("Failure")
    const error = exit._tag === "Failure" ? (exit.cause.reasons[0] as any).error : undefined
    expect(error).toBeInstanceOf(Errors.WorkflowFailedError)
    expect(error.error).toMatchObject({ _tag: "NonJsonOutputError", step: "makesMap" })
    expect(error.message).toContain("makesMap")
  })

  it("undefined fields are dropped as JSON.stringify does (steps and result); a non-JSON result is a typed error", async () => {
    const flow = Durable.workflow(
      "optional",
      sequence(
        Primitive.lift("partial", (n: number) => ({
          n,
          note: undefined as string | undefined,
          xs: [1, undefined]
        })),
        Primitive.lift("echo", (o: { n: number }) => o)
      ).pipe(map((o) => ({ ...o, extra: undefined }))),
      { input: Schema.Number }
    )
    expect(await runIn([flow], flow.run(3))).toEqual({ n: 3, xs: [1, null] })
    const dated = Durable.workflow(
      "dated-result",
      Primitive.lift("one", (n: number) => n).pipe(map(() => new Date())),
      {
        input: Schema.Number
      }
    )
    const exit = await runIn([dated], Effect.exit(dated.run(1)))
    const error = exit._tag === "Failure" ? (exit.cause.reasons[0] as any).error : undefined
    expect(error.error).toMatchObject({ _tag: "NonJsonOutputError", step: "(result)" })
  })

  it("a step with its own Schema keeps a non-JSON type through the journal", async () => {
    const when = Durable.withSchema(
      Primitive.lift("when", () => new Date(Date.UTC(2030, 0, 2))),
      Schema.Date
    )
    const flow = Durable.workflow(
      "dated",
      sequence(
        Primitive.lift("start", () => 1),
        when.pipe(map((d: Date) => d.toISOString()))
      ),
      {
        input: Any
      }
    )
    expect(await runIn([flow], flow.run(2))).toContain("2030")
  })
})

describe("approvals carry a value", () => {
  it("the approver's value is decoded with the approval's Schema and handed to the next step", async () => {
    const Limit = Schema.Struct({ limit: Schema.Number })
    const flow = Durable.workflow(
      "limited",
      sequence(
        Primitive.lift("ask", (n: number) => n),
        Durable.approval("budget", { value: Limit }),
        Primitive.lift("spend", (a: Durable.Approved<{ limit: number }>) => ({
          spent: a.value!.limit * 2,
          by: a.by
        }))
      ),
      { input: Schema.Number }
    )
    const result = await runIn(
      [flow],
      Effect.gen(function* () {
        const client = yield* DurableClient.DurableClient
        const id = yield* flow.start(1)
        // Bounded poll (no fixed sleep) until the execution asks for the approval.
        yield* Effect.gen(function* () {
          const detail = yield* client.show(id)
          if (!detail.waitingOn.some((w) => w.name === "budget")) return yield* Effect.fail("not yet")
        }).pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 1200 }))
        const waitFor = (id: string) =>
          Effect.gen(function* () {
            const detail = yield* client.show(id)
            if (!detail.waitingOn.some((w) => w.name === "budget")) return yield* Effect.fail("not yet")
          }).pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 1200 }))
        const good = yield* flow.start(2)
        yield* waitFor(good)
        yield* client.approve(good, "budget", { by: "zed", value: { limit: 5 } })
        const spent = yield* flow.run(2)
        const refused = yield* Effect.flip(
          client
            .approve(id, "budget", { by: "zed", value: { limit: "five" } })
            .pipe(Effect.andThen(flow.run(1)), Effect.andThen(Effect.fail("unexpected success")))
        )
        return { refused, spent }
      })
    )
    expect(result.spent).toEqual({ spent: 10, by: "zed" })
    // A value that does not fit the Schema fails the step (typed, JSON), it does not crash the runner.
    expect(JSON.stringify(result.refused)).toContain("limit")
  })
})

describe("what a wait is for", () => {
  it("an approval's details (from its input) are listed with the wait and kept once it is answered", async () => {
    const flow = Durable.workflow(
      "paying",
      sequence(
        Primitive.lift("quote", (n: number) => ({ amount: n * 100, to: "acme" })),
        Durable.approval("pay", {
          details: (quote: { amount: number; to: string }) => ({ call: "pay", args: quote })
        }),
        Primitive.lift("paid", (a: Durable.Approved) => ({ by: a.by }))
      ),
      { input: Schema.Number }
    )
    const out = await runIn(
      [flow],
      Effect.gen(function* () {
        const client = yield* DurableClient.DurableClient
        const id = yield* flow.start(3)
        const waiting = yield* Effect.gen(function* () {
          const [listed] = yield* client.list({ workflow: "paying" })
          if (listed?.waitingOn.length !== 1) return yield* Effect.fail("not yet")
          return listed.waitingOn[0]!
        }).pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 1200 }))
        yield* client.approve(id, "pay", { by: "ann" })
        const result = yield* flow.run(3)
        return { waiting, result, waits: (yield* client.show(id)).waits }
      })
    )
    const details = { call: "pay", args: { amount: 300, to: "acme" } }
    expect(out.waiting).toMatchObject({ kind: "approval", name: "pay", details })
    expect(out.result).toEqual({ by: "ann" })
    expect(out.waits).toEqual([expect.objectContaining({ name: "pay", approved: true, by: "ann", details })])
  })
})

describe("errors kept as JSON", () => {
  it("errorToJson keeps _tag, message and JSON fields, drops what JSON cannot hold", async () => {
    const { errorToJson, whyNotJson } = await import("../src/Json.ts")
    class Inner {
      f = () => 1
      n = 2
    }
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const converted = errorToJson(
      Object.assign(new Error("boom"), { _tag: "Boom", code: 7, inner: new Inner(), cyclic, fn: () => 0 })
    ) as Record<string, unknown>
    expect(whyNotJson(converted)).toBeUndefined()
    expect(converted).toMatchObject({
      _tag: "Boom",
      name: "Error",
      message: "boom",
      code: 7,
      inner: { n: 2 }
    })
    expect(converted.fn).toBeUndefined()
  })
})

describe("per-process combinators", () => {
  it("cache runs as one activity around its step: its memory is the process's, the journal keeps the result", async () => {
    let computed = 0
    const cached = cache(
      Primitive.step("lookup", (k: string) => Effect.sync(() => ({ k, n: ++computed }))),
      { key: (k: string) => k }
    )
    const flow = Durable.workflow(
      "cached",
      sequence(
        Primitive.lift("key", (k: string) => k),
        cached
      ),
      {
        input: Schema.String
      }
    )
    const detail = await runIn(
      [flow],
      Effect.gen(function* () {
        expect(yield* flow.run("x")).toEqual({ k: "x", n: 1 })
        const client = yield* DurableClient.DurableClient
        return yield* client.show(yield* flow.executionId("x"))
      })
    )
    expect(detail.activities.map((a) => a.name)).toEqual(["key", "cache(lookup)"])
  })
})

describe("bad definitions are typed errors at definition time", () => {
  const a = Primitive.lift("a", (n: number) => n)
  it("duplicate step paths", () => {
    expect(() => Durable.workflow("dup", sequence(a, a), { input: Schema.Number })).toThrow(
      Errors.DuplicateStepPathError
    )
    expect(() => Durable.workflow("dup", sequence(a, a), { input: Schema.Number })).toThrow(/path "a"/)
    // Renamed, the same step is fine.
    expect(() =>
      Durable.workflow("ok", sequence(a, Primitive.withName(a, "again")), { input: Schema.Number })
    ).not.toThrow()
  })
  it("two approvals with one name", () => {
    expect(() =>
      Durable.workflow("twice", sequence(Durable.approval("x"), Durable.approval("x")), { input: Any })
    ).toThrow(/two approvals are named "x"/)
  })
  it("a retry inside a retry", () => {
    expect(() =>
      Durable.workflow(
        "nested",
        retry(
          sequence(
            retry(a, { times: 1 }),
            Primitive.lift("b", (n: number) => n)
          ),
          { times: 1 }
        ),
        {
          input: Schema.Number
        }
      )
    ).toThrow(Errors.UnsupportedStepError)
  })
})

describe("idempotency keys", () => {
  it("equal effect/workflow's Activity.idempotencyKey for the same execution and step", async () => {
    const { keyOf } = await import("../src/Activities.ts")
    const Activity = await import("effect/workflow/Activity")
    const WorkflowEngine = await import("effect/workflow/WorkflowEngine")
    const Workflow = await import("effect/workflow/Workflow")
    const wf = Workflow.make("k", { payload: {}, idempotencyKey: () => "" })
    const instance = WorkflowEngine.WorkflowInstance.initial(wf as any, "exec-1")
    const expected = await Effect.runPromise(
      Effect.provideService(Activity.idempotencyKey("a/b"), WorkflowEngine.WorkflowInstance, instance)
    )
    expect(keyOf("exec-1", "a/b")).toBe(expected)
  })
})
