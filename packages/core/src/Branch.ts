/**
 * `branch(predicate, onTrue, onFalse)` and `route(select, routes, fallback?)`: choose the step to
 * run from the input. The choice is recorded on the span (`tta.branch.taken`, `tta.route.key`).
 */
import { Effect } from "effect"
import { RouteNotFoundError } from "./Errors.ts"
import {
  type Any,
  annotateSpan,
  type ContextOf,
  type ErrorOf,
  make,
  type OutputOf,
  type Primitive
} from "./Primitive.ts"
import { withSpec } from "./Spec.ts"

type Decide<In, A, E, R> = (input: In) => A | Effect.Effect<A, E, R>

const decide = <In, A, E, R>(f: Decide<In, A, E, R>, input: In): Effect.Effect<A, E, R> => {
  const chosen = f(input)
  return Effect.isEffect(chosen) ? chosen : Effect.succeed(chosen)
}

/** Runs `onTrue` when the predicate holds for the input, else `onFalse`. */
export const branch = <In, O1, E1, R1, O2, E2, R2, EP = never, RP = never>(
  predicate: Decide<In, boolean, EP, RP>,
  onTrue: Primitive<In, O1, E1, R1>,
  onFalse: Primitive<In, O2, E2, R2>,
  options?: { readonly name?: string | undefined }
): Primitive<In, O1 | O2, E1 | E2 | EP, R1 | R2 | RP> =>
  withSpec(
    make({
      name: options?.name ?? `branch(${onTrue.name} | ${onFalse.name})`,
      kind: "branch",
      children: [onTrue, onFalse],
      meta: { labels: ["true", "false"] },
      run: (input: In) =>
        Effect.flatMap(decide(predicate, input), (taken) =>
          Effect.andThen(
            annotateSpan({ "tta.branch.taken": taken }),
            taken ? onTrue.run(input) : (onFalse.run(input) as Effect.Effect<O1 | O2, E1 | E2, R1 | R2>)
          )
        )
    }),
    { kind: "branch", predicate }
  )

export interface RouteOptions {
  readonly name?: string | undefined
}

/**
 * Runs the route whose key `select` returns. An unknown key runs `fallback` when given, otherwise
 * fails with `RouteNotFoundError`.
 */
export function route<
  In,
  Routes extends Readonly<Record<string, Primitive<In, any, any, any>>>,
  ES = never,
  RS = never
>(
  select: Decide<In, string, ES, RS>,
  routes: Routes,
  fallback?: undefined,
  options?: RouteOptions
): Primitive<
  In,
  OutputOf<Routes[keyof Routes]>,
  ErrorOf<Routes[keyof Routes]> | ES | RouteNotFoundError,
  ContextOf<Routes[keyof Routes]> | RS
>
export function route<
  In,
  Routes extends Readonly<Record<string, Primitive<In, any, any, any>>>,
  OF,
  EF,
  RF,
  ES = never,
  RS = never
>(
  select: Decide<In, string, ES, RS>,
  routes: Routes,
  fallback: Primitive<In, OF, EF, RF>,
  options?: RouteOptions
): Primitive<
  In,
  OutputOf<Routes[keyof Routes]> | OF,
  ErrorOf<Routes[keyof Routes]> | ES | EF,
  ContextOf<Routes[keyof Routes]> | RS | RF
>
export function route(
  select: Decide<unknown, string, unknown, unknown>,
  routes: Readonly<Record<string, Any>>,
  fallback?: Any,
  options?: RouteOptions
): Any {
  const keys = Object.keys(routes)
  const table = new Map(keys.map((k) => [k, routes[k]!] as const))
  const name = options?.name ?? `route(${keys.join(" | ")})`
  const children = fallback ? [...table.values(), fallback] : [...table.values()]
  const labels = fallback ? [...keys, "otherwise"] : keys
  const built = make({
    name,
    kind: "route",
    children,
    meta: { labels, routes: keys, fallback: fallback?.name },
    run: (input: unknown) =>
      Effect.flatMap(decide(select, input), (key) => {
        const chosen = table.get(key)
        if (chosen !== undefined) {
          return Effect.andThen(annotateSpan({ "tta.route.key": key }), chosen.run(input))
        }
        if (fallback !== undefined) {
          return Effect.andThen(
            annotateSpan({ "tta.route.key": key, "tta.route.fallback": true }),
            fallback.run(input)
          )
        }
        return Effect.andThen(
          annotateSpan({ "tta.route.key": key }),
          Effect.fail(
            new RouteNotFoundError({
              primitive: name,
              key,
              known: keys,
              message: `${name}: no route for key ${JSON.stringify(key)} (known: ${keys.join(", ") || "none"})`
            })
          )
        )
      })
  })
  return withSpec(built, { kind: "route", select, routes, fallback })
}
