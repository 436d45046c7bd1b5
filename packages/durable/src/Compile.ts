/**
 * Compiles a @tta/core primitive tree into the body of an effect/workflow `Workflow`.
 *
 * What runs where: every leaf step runs inside an `Activity` (journaled: after a crash a finished
 * activity is not run again, its stored result is used). The glue between activities (sequencing,
 * `map` functions, collecting parallel results) is workflow code and runs again on every replay, so
 * it must stay pure; anything that decides (a `branch` predicate, a `route` selector) or acts
 * (a `tap` function) is journaled as an activity of its own.
 */
import { Errors as CoreErrors, type Primitive, Spec } from "@tta/core"
import { Context, Effect, Schema } from "effect"
import { Activity, WorkflowEngine } from "effect/workflow"
import { compileSaga } from "./CompileSaga.ts"
import { compileSleep, compileTimeout, compileWait } from "./CompileWaits.ts"
import { DurableContext } from "./DurableContext.ts"
import { NonJsonOutputError } from "./Errors.ts"
import { errorToJson, whyNotJson } from "./Json.ts"
import { base, isLeaf, join } from "./Paths.ts"
import { schemaOf, sleepOf, waitOf } from "./Steps.ts"

/** A compiled node: input to the effect that runs it inside a workflow execution. */
export type Compiled = (input: unknown) => Effect.Effect<unknown, unknown, any>

export interface Definition {
  readonly workflow: string
  readonly version: string
}

/** `[i]` per enclosing `forEach` item, appended to activity names at run time. */
export const ItemSuffix = Context.Reference<string>("@tta/durable/Compile/ItemSuffix", {
  defaultValue: () => ""
})

/** Runs `run` as the activity `name`, its result kept through `schema` (JSON by default). */
export const activity = (
  def: Definition,
  name: string,
  run: Effect.Effect<unknown, unknown, any>,
  schema: Schema.Codec<any, any> = Schema.Json
): Effect.Effect<unknown, unknown, any> =>
  Activity.make({
    name,
    success: schema,
    error: Schema.Json,
    execute: Effect.gen(function* (): Effect.fn.Return<any, any, any> {
      const instance = yield* WorkflowEngine.WorkflowInstance
      const attempt = yield* Activity.CurrentAttempt
      const idempotencyKey = yield* Activity.idempotencyKey(name)
      const output = yield* run.pipe(
        Effect.provideService(DurableContext, {
          executionId: instance.executionId,
          workflow: def.workflow,
          version: def.version,
          step: name,
          attempt,
          idempotencyKey
        }),
        Effect.mapError(errorToJson)
      )
      if (schema === Schema.Json) {
        const why = whyNotJson(output)
        if (why !== undefined) {
          return yield* Effect.fail(
            errorToJson(
              new NonJsonOutputError({
                workflow: def.workflow,
                step: name,
                message: `step ${name} of workflow ${def.workflow} returned a value that is not JSON (${why}); give the step a Schema with Durable.withSchema`
              })
            )
          )
        }
      }
      return output === undefined ? null : output
    })
  })

const leaf =
  (def: Definition, p: Primitive.Any, path: string): Compiled =>
  (input) =>
    Effect.flatMap(ItemSuffix, (suffix) => activity(def, path + suffix, p.run(input), schemaOf(p)))

/** Compiles `p`, a child of the node at `parent`. */
export const compile = (def: Definition, p: Primitive.Any, parent: string): Compiled => {
  const wait = waitOf(p)
  if (wait !== undefined) return compileWait(def, wait)
  const sleep = sleepOf(p)
  if (sleep !== undefined) return compileSleep(def, join(parent, p.name), sleep)
  if (isLeaf(p)) return leaf(def, p, join(parent, p.name))
  const here = base(parent, p)
  const spec = Spec.specOf(p)
  const children = p.children.map((c) => compile(def, c, here))
  switch (p.kind) {
    case "sequence":
      return sequenceOf(children)
    case "saga":
      return compileSaga(def, p.children, here, compile)
    case "parallel":
      return parallelOf(p, children)
    case "fallback":
      return fallbackOf(p, children)
    case "for-each": {
      const concurrency = (p.meta.concurrency as number | "unbounded" | undefined) ?? 1
      const child = children[0]!
      return (input) =>
        Effect.flatMap(ItemSuffix, (suffix) =>
          Effect.forEach(
            input as ReadonlyArray<unknown>,
            (item, i) => Effect.provideService(child(item), ItemSuffix, `${suffix}[${i}]`),
            { concurrency }
          )
        )
    }
    case "map": {
      const f = (spec as Extract<Spec.Spec, { kind: "map" }>).f
      return (input) => Effect.map(children[0]!(input), f)
    }
    case "tap": {
      const f = (spec as Extract<Spec.Spec, { kind: "tap" }>).f
      const name = join(parent, p.name)
      return (input) =>
        Effect.flatMap(children[0]!(input), (output) =>
          Effect.flatMap(ItemSuffix, (suffix) =>
            Effect.as(activity(def, name + suffix, Effect.as(f(output), null)), output)
          )
        )
    }
    case "retry": {
      const s = spec as Extract<Spec.Spec, { kind: "retry" }>
      const policy: { times?: number; schedule?: any; while?: (e: unknown) => boolean } = {}
      if (s.times !== undefined) policy.times = s.times
      if (s.schedule !== undefined) policy.schedule = s.schedule
      if (s.while !== undefined) policy.while = s.while
      return (input) => Activity.retry(children[0]!(input), policy as {})
    }
    case "timeout":
      return compileTimeout(
        def,
        join(parent, p.name),
        (spec as Extract<Spec.Spec, { kind: "timeout" }>).duration,
        children[0]!
      )
    case "branch":
      return branchOf(def, join(parent, p.name), spec as Extract<Spec.Spec, { kind: "branch" }>, children)
    case "route":
      return routeOf(def, p, join(parent, p.name), spec as Extract<Spec.Spec, { kind: "route" }>, children)
    default:
      return leaf(def, p, join(parent, p.name))
  }
}

const sequenceOf = (children: ReadonlyArray<Compiled>): Compiled => {
  const n = children.length
  const go = (i: number, value: unknown): Effect.Effect<unknown, unknown, any> =>
    i === n - 1 ? children[i]!(value) : Effect.flatMap(children[i]!(value), (next) => go(i + 1, next))
  return (input) => go(0, input)
}

const parallelOf = (p: Primitive.Any, children: ReadonlyArray<Compiled>): Compiled => {
  const concurrency = (p.meta.concurrency as number | "unbounded" | undefined) ?? "unbounded"
  const labels = (p.meta.labels as ReadonlyArray<string> | undefined) ?? children.map((_, i) => String(i))
  const struct = p.meta.shape === "struct"
  return (input) => {
    if (!struct)
      return Effect.all(
        children.map((c) => c(input)),
        { concurrency }
      )
    const effects: Record<string, Effect.Effect<unknown, unknown, any>> = {}
    for (let i = 0; i < children.length; i++) effects[labels[i]!] = children[i]!(input)
    return Effect.all(effects, { concurrency })
  }
}

const fallbackOf = (p: Primitive.Any, children: ReadonlyArray<Compiled>): Compiled => {
  const attempted = p.children.map((c) => c.name)
  return (input) =>
    Effect.suspend(() => {
      const failures: Array<unknown> = []
      const attempt = (i: number): Effect.Effect<unknown, unknown, any> =>
        Effect.catch(children[i]!(input), (error) => {
          failures.push(error)
          if (i + 1 < children.length) return attempt(i + 1)
          return Effect.fail(
            errorToJson(
              new CoreErrors.FallbackError({
                primitive: p.name,
                attempted,
                failures,
                message: `${p.name}: all ${children.length} failed: ${failures
                  .map((f, j) => `${attempted[j]} (${CoreErrors.describeFailure(f)})`)
                  .join("; ")}`
              })
            )
          )
        })
      return attempt(0)
    })
}

/** The predicate's answer is journaled, so a replay takes the branch the first run took. */
const branchOf = (
  def: Definition,
  name: string,
  spec: Extract<Spec.Spec, { kind: "branch" }>,
  children: ReadonlyArray<Compiled>
): Compiled => {
  return (input) =>
    Effect.flatMap(ItemSuffix, (suffix) =>
      Effect.flatMap(activity(def, name + suffix, decide(spec.predicate, input), Schema.Boolean), (taken) =>
        taken ? children[0]!(input) : children[1]!(input)
      )
    )
}

const routeOf = (
  def: Definition,
  p: Primitive.Any,
  name: string,
  spec: Extract<Spec.Spec, { kind: "route" }>,
  children: ReadonlyArray<Compiled>
): Compiled => {
  const keys = Object.keys(spec.routes)
  return (input) =>
    Effect.flatMap(ItemSuffix, (suffix) =>
      Effect.flatMap(activity(def, name + suffix, decide(spec.select, input), Schema.String), (key) => {
        const i = keys.indexOf(key as string)
        if (i >= 0) return children[i]!(input)
        if (spec.fallback !== undefined) return children[keys.length]!(input)
        return Effect.fail(
          errorToJson(
            new CoreErrors.RouteNotFoundError({
              primitive: p.name,
              key: key as string,
              known: keys,
              message: `${p.name}: no route for key ${JSON.stringify(key)} (known: ${keys.join(", ") || "none"})`
            })
          )
        )
      })
    )
}

const decide = <A>(f: (input: any) => A | Effect.Effect<A, any, any>, input: unknown) =>
  Effect.suspend(() => {
    const chosen = f(input)
    return Effect.isEffect(chosen) ? chosen : Effect.succeed(chosen)
  })
