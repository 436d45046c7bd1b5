// Type tests: checked by tsc over tsconfig.test.json (`@ts-expect-error` fails the build when the
// line below it compiles), and by expectTypeOf at test time.
import { describe, expectTypeOf, it } from "@effect/vitest"
import {
  andThen,
  type BulkheadFullError,
  branch,
  bulkhead,
  type CircuitOpenError,
  cache,
  circuitBreaker,
  compensate,
  type FallbackError,
  fallback,
  forEach,
  lift,
  map,
  type Primitive,
  parallel,
  type RouteNotFoundError,
  retry,
  route,
  runPromise,
  type SagaError,
  saga,
  sequence,
  step,
  type TimeoutError,
  tap,
  timeout,
  WorkflowContext
} from "@tta/core"
import { Context, Effect } from "effect"

type P<In, Out, E = never, R = never> = Primitive.Primitive<In, Out, E, R>

class NotFound {
  readonly _tag = "NotFound"
}
class Db extends Context.Service<Db, { readonly get: (id: string) => Effect.Effect<string> }>()("test/Db") {}

const parse = step("parse", (s: string) =>
  s === "" ? Effect.fail(new NotFound()) : Effect.succeed(Number(s))
)
const double = lift("double", (n: number) => n * 2)
const show = lift("show", (n: number) => `${n}`)
const load = step("load", (id: string) => Effect.flatMap(Db, (db) => db.get(id)))

describe("types", () => {
  it("sequence: A→B, B→C is A→C with the union of errors and requirements", () => {
    expectTypeOf(sequence(parse, double, show)).toEqualTypeOf<P<string, string, NotFound>>()
    expectTypeOf(sequence(show, load)).toEqualTypeOf<P<number, string, never, Db>>()
    expectTypeOf(sequence(...Array.from({ length: 10 }, () => double))).toEqualTypeOf<P<number, number>>()
    expectTypeOf(parse.pipe(andThen(double))).toEqualTypeOf<P<string, number, NotFound>>()
    // @ts-expect-error show yields a string, double wants a number
    sequence(parse, show, double)
    // @ts-expect-error the mismatch is caught after many well-typed steps too
    sequence(parse, double, double, double, double, double, double, double, show, show)
    // @ts-expect-error parse yields a number, parse wants a string
    parse.pipe(andThen(parse))
    // A generic call as a step (docs/getting-started.md's workflow failed with TS2769 here).
    expectTypeOf(
      sequence(
        fallback(
          parse,
          lift("zero", (_: string) => 0)
        ),
        double
      )
    ).toEqualTypeOf<P<string, number, FallbackError<NotFound>>>()
    const zeroOr = fallback(
      parse,
      lift("zero", (_: string) => 0)
    )
    // @ts-expect-error the fallback yields a number, parse wants a string
    sequence(zeroOr, parse)
  })

  it("parallel: struct and tuple outputs; the input is what every step accepts", () => {
    expectTypeOf(parallel({ a: double, b: show })).toEqualTypeOf<P<number, { a: number; b: string }>>()
    expectTypeOf(parallel([double, show, parse.pipe(map((n) => n > 0))])).toEqualTypeOf<
      P<number & string, [number, string, boolean], NotFound>
    >()
  })

  it("branch and route", () => {
    expectTypeOf(branch((n: number) => n > 0, double, show)).toEqualTypeOf<P<number, number | string>>()
    expectTypeOf(route((n: number) => (n > 0 ? "pos" : "neg"), { pos: double, neg: show })).toEqualTypeOf<
      P<number, number | string, RouteNotFoundError>
    >()
    expectTypeOf(route((n: number) => String(n), { one: double }, show)).toEqualTypeOf<
      P<number, number | string>
    >()
    // @ts-expect-error a route that cannot take the input
    route((n: number) => String(n), { one: parse })
  })

  it("resilience combinators add their typed errors", () => {
    expectTypeOf(parse.pipe(retry({ times: 2, while: (e) => e._tag === "NotFound" }))).toEqualTypeOf<
      P<string, number, NotFound>
    >()
    expectTypeOf(parse.pipe(timeout("1 second"))).toEqualTypeOf<P<string, number, NotFound | TimeoutError>>()
    expectTypeOf(fallback(parse, show.pipe(map(Number)))).toEqualTypeOf<
      P<string & number, number, FallbackError<NotFound>>
    >()
    expectTypeOf(parse.pipe(fallback(parse))).toEqualTypeOf<P<string, number, FallbackError<NotFound>>>()
    expectTypeOf(
      parse.pipe(circuitBreaker({ failureThreshold: 1, resetAfter: "1 second" })).run
    ).returns.toEqualTypeOf<Effect.Effect<number, NotFound | CircuitOpenError>>()
    expectTypeOf(parse.pipe(bulkhead({ maxConcurrent: 1 }))).toEqualTypeOf<
      P<string, number, NotFound | BulkheadFullError>
    >()
    // the cache key function is typed from the step's input
    parse.pipe(cache({ key: (s) => s.toUpperCase() }))
    // @ts-expect-error the input is a string
    parse.pipe(cache({ key: (s: number) => String(s) }))
    // @ts-expect-error `while` sees the step's error type
    parse.pipe(retry({ while: (e) => e._tag === "Other" }))
  })

  it("saga, forEach, tap", () => {
    const reserve = parse.pipe(compensate((n: number, input: string) => Effect.log(`undo ${n} ${input}`)))
    expectTypeOf(saga(reserve, double)).toEqualTypeOf<P<string, number, SagaError<NotFound>>>()
    // @ts-expect-error saga steps chain like a sequence
    saga(reserve, show, double)
    expectTypeOf(double.pipe(forEach({ concurrency: 2 }))).toEqualTypeOf<
      P<ReadonlyArray<number>, Array<number>>
    >()
    expectTypeOf(double.pipe(tap((n) => Effect.log(n)))).toEqualTypeOf<P<number, number>>()
  })

  it("runPromise takes primitives that need at most WorkflowContext", () => {
    expectTypeOf(runPromise(sequence(parse, double), "1")).toEqualTypeOf<Promise<number>>()
    const usesContext = step("ctx", (_: undefined) => Effect.map(WorkflowContext, (c) => c.workflowId))
    expectTypeOf(runPromise(usesContext, undefined)).toEqualTypeOf<Promise<string>>()
    // @ts-expect-error Db must be provided first
    void (() => runPromise(load, "x"))
  })
})
