/**
 * A `Primitive<In, Out, E, R>` is a named, inspectable workflow step whose run is an Effect.
 * A run is traced (`tta.<kind>` span) when a tracer is installed and measured (duration and error
 * metrics) when a metrics consumer is (`Metrics.Enabled`); with neither, it costs what the
 * hand-written Effect costs.
 */
import { Cause, Clock, Context, Duration, Effect, Exit, type Fiber, Option, Tracer } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { InvalidOptionError } from "./Errors.ts"
import * as Metrics from "./Metrics.ts"
import { WorkflowContext } from "./WorkflowContext.ts"

export const TypeId = "~@tta/core/Primitive" as const

export interface Primitive<in In, out Out, out E = never, out R = never> extends Pipeable {
  readonly [TypeId]: {
    readonly _In: (_: In) => void
    readonly _Out: () => Out
    readonly _E: () => E
    readonly _R: () => R
  }
  readonly name: string
  /** What sort of primitive this is; the span is named `tta.<kind>`. */
  readonly kind: string
  readonly children: ReadonlyArray<Any>
  /** Options worth showing in `describe` (plain data). */
  readonly meta: Readonly<Record<string, unknown>>
  /** Runs the step: traced, measured, and typed end to end. */
  readonly run: (input: In) => Effect.Effect<Out, E, R>
}

export type Any = Primitive<any, any, any, any>

export type InputOf<P> = P extends Primitive<infer In, infer _Out, infer _E, infer _R> ? In : never
export type OutputOf<P> = P extends Primitive<infer _In, infer Out, infer _E, infer _R> ? Out : never
export type ErrorOf<P> = P extends Primitive<infer _In, infer _Out, infer E, infer _R> ? E : never
export type ContextOf<P> = P extends Primitive<infer _In, infer _Out, infer _E, infer R> ? R : never

export const isPrimitive = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

export interface MakeOptions<In, Out, E, R> {
  readonly name: string
  /** Lower-case identifier, kebab-case by convention (`hedge`, `circuit-breaker`); defaults to `custom`. */
  readonly kind?: string | undefined
  readonly children?: ReadonlyArray<Any> | undefined
  readonly meta?: Readonly<Record<string, unknown>> | undefined
  /** The work. Children are run through their own `run`, so they are traced on their own. */
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  /**
   * Optional: the same work with every child run through `plainRun(child)` instead of
   * `child.run`. Used when nothing observes the fiber (no tracer, no metrics consumer), so a
   * whole tree of combinators then runs as the hand-written Effect would. Defaults to `run`.
   */
  readonly plain?: ((input: In) => Effect.Effect<Out, E, R>) | undefined
}

const kindPattern = /^[a-z][a-z0-9_.-]*$/

interface Instance<In, Out, E, R> extends Primitive<In, Out, E, R> {
  /** The run without this primitive's own span and metrics (children still through `run`). */
  readonly body: (input: In) => Effect.Effect<Out, E, R>
  /** The run when nothing observes the fiber: no span, no metric, children plain too. */
  readonly plain: (input: In) => Effect.Effect<Out, E, R>
  /** The run, measured, on a fiber with metrics on and no tracer (see {@link measuredRun}). */
  readonly measuredIn: (input: In, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<Out, E, R>
}

const FiberRunId = "~@tta/core/Primitive/FiberRun"

/** A run built by {@link fiberRun}: it carries the function that takes the fiber. */
export type FiberRun<In, Out, E, R> = ((input: In) => Effect.Effect<Out, E, R>) & {
  readonly [FiberRunId]: (input: In, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<Out, E, R>
}

/**
 * `(input) => Effect.withFiber((fiber) => f(input, fiber))`, marked so that when it is a
 * primitive's `run` or `plain`, the primitive's own check (which already holds the fiber) calls
 * `f` directly instead of paying a second `withFiber`. For primitives whose work reads the fiber
 * (its Clock, its context) on a hot path, as `cache` does.
 */
export const fiberRun = <In, Out, E, R>(
  f: (input: In, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<Out, E, R>
): FiberRun<In, Out, E, R> =>
  Object.assign((input: In) => Effect.withFiber((fiber) => f(input, fiber)), { [FiberRunId]: f })

const fiberFunction = <In, Out, E, R>(run: (input: In) => Effect.Effect<Out, E, R>) =>
  (run as Partial<FiberRun<In, Out, E, R>>)[FiberRunId]

/**
 * How a combinator whose run is a {@link fiberRun} runs a child when the fiber it was handed has a
 * metrics consumer and no tracer (`!isTracing(fiber)`): the child's run, measured, without a check
 * or a `withFiber` of its own — so a child that is already done (an `Exit`) stays one, and
 * `Effect.all` need not fork a fiber for it. Only for a child that runs on that fiber or one forked
 * from it with the same context. A primitive not made by {@link make} is run through its `run`.
 */
export const measuredRun = <In, Out, E, R>(
  p: Primitive<In, Out, E, R>
): ((input: In, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<Out, E, R>) => {
  const measuredIn = (p as Partial<Instance<In, Out, E, R>>).measuredIn
  return measuredIn ?? ((input) => p.run(input))
}

/**
 * How a combinator runs a child on a fiber that nothing observes (no tracer installed, no metrics
 * consumer): the child's own plain run, which skips its instrumentation check and runs its
 * children plain in turn. A primitive not made by {@link make} is run through its `run`.
 */
export const plainRun = <In, Out, E, R>(
  p: Primitive<In, Out, E, R>
): ((input: In) => Effect.Effect<Out, E, R>) => (p as Partial<Instance<In, Out, E, R>>).plain ?? p.run

const Proto = {
  [TypeId]: {
    _In: (_: unknown) => {},
    _Out: (_: never) => _,
    _E: (_: never) => _,
    _R: (_: never) => _
  },
  pipe() {
    // biome-ignore lint/complexity/noArguments: pipeArguments reads the IArguments object as is
    return pipeArguments(this, arguments)
  },
  toJSON(this: Any) {
    return describeShallow(this)
  }
}

const describeShallow = (p: Any): unknown => ({
  name: p.name,
  kind: p.kind,
  meta: p.meta,
  children: p.children.map(describeShallow)
})

/**
 * Builds a primitive from its run function. This is how every built-in combinator is made, and
 * how you make your own (see docs/custom-primitives.md).
 */
export const make = <In, Out, E = never, R = never>(
  options: MakeOptions<In, Out, E, R>
): Primitive<In, Out, E, R> => {
  const kind = options.kind ?? "custom"
  if (!kindPattern.test(kind)) {
    throw new InvalidOptionError({
      primitive: options.name,
      option: "kind",
      message: `kind ${JSON.stringify(kind)} of primitive ${JSON.stringify(options.name)} must match ${kindPattern}`
    })
  }
  if (typeof options.name !== "string" || options.name.length === 0) {
    throw new InvalidOptionError({
      primitive: String(options.name),
      option: "name",
      message: `a ${kind} primitive needs a non-empty name`
    })
  }
  const self = Object.create(Proto) as {
    -readonly [K in keyof Instance<In, Out, E, R>]: Instance<In, Out, E, R>[K]
  }
  self.name = options.name
  self.kind = kind
  self.children = options.children ?? []
  self.meta = options.meta ?? {}
  self.body = options.run
  self.plain = options.plain ?? options.run
  const instrumented = instrument(kind, options.name, options.run, self.plain)
  self.run = instrumented.run
  self.measuredIn = instrumented.measuredIn
  return self
}

/**
 * Whether spans opened on this fiber reach a tracer someone installed (`Effect.withTracer`, an
 * OpenTelemetry layer, ...). False under Effect's default `Tracer.nativeTracer`, whose in-memory
 * spans nobody exports, and when tracing is switched off with `Effect.withTracerEnabled(false)`
 * (`References.TracerEnabled`). Primitives skip their spans and span attributes then.
 */
export const isTracing = (fiber: Fiber.Fiber<unknown, unknown>): boolean => {
  // The fiber cache holds only an explicitly provided tracer (undefined means the native one).
  const tracer = fiber.cache.tracer
  return tracer !== undefined && tracer !== Tracer.nativeTracer && fiber.cache.tracerEnabled
}

/**
 * `Effect.withSpan(self, name, options)` (stack capture off) when `isTracing`, else `self` as is.
 * For the extra spans of a primitive (retry attempts, saga compensations).
 */
export const withSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  name: string,
  options: Tracer.SpanOptionsNoTrace
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    // Data-first on purpose: the pipe form of withSpan in effect 4.1 ignores captureStackTrace.
    isTracing(fiber) ? Effect.withSpan(self, name, { ...options, captureStackTrace: false }) : self
  )

/** Sets attributes on the current span, like `Effect.annotateCurrentSpan`, only when `isTracing`. */
export const annotateSpan = (attributes: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const span = currentSpan(fiber)
    if (span !== undefined) for (const key in attributes) span.attribute(key, attributes[key])
    return Effect.void
  })

/** The open span of this fiber when `isTracing` (so attributes reach an exporter), else undefined. */
export const currentSpan = (fiber: Fiber.Fiber<unknown, unknown>): Tracer.Span | undefined => {
  const span = fiber.cache.span
  return span?._tag === "Span" && span.status._tag !== "Ended" && isTracing(fiber) ? span : undefined
}

// Hot path, run once per primitive run. With no tracer and no metrics consumer (the default) it
// checks both and runs the plain tree: no span, no clock read, no histogram. A metrics consumer
// adds one clock read at each end and the histogram update; a tracer adds the span (creating and
// parenting one costs ~1.4 µs, more than all the rest). No generators.
const instrument = <In, Out, E, R>(
  kind: string,
  name: string,
  body: (input: In) => Effect.Effect<Out, E, R>,
  plain: (input: In) => Effect.Effect<Out, E, R>
): {
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  readonly measuredIn: (input: In, fiber: Fiber.Fiber<unknown, unknown>) => Effect.Effect<Out, E, R>
} => {
  const spanName = `tta.${kind}`
  const attrs = Metrics.attributes(name, kind)
  const duration = Metrics.duration(attrs)
  const errors = Metrics.errors(attrs)
  const bodyIn = fiberFunction(body)
  const plainIn = fiberFunction(plain)
  const plainAttributes = { "tta.primitive.name": name }
  const plainOptions = { attributes: plainAttributes }
  const record = (
    exit: Exit.Exit<Out, E>,
    context: Context.Context<never>,
    clock: Clock.Clock,
    start: number
  ) => {
    duration.updateUnsafe(Metrics.monotonicMillis(clock) - start, context)
    if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) errors.updateUnsafe(1, context)
  }
  const measured = (
    self: Effect.Effect<Out, E, R>,
    context: Context.Context<never>,
    clock: Clock.Clock,
    start: number
  ): Effect.Effect<Out, E, R> =>
    Effect.onExit(self, (exit: Exit.Exit<Out, E>) => {
      record(exit, context, clock, start)
      return Effect.void
    })
  // Metrics on, no tracer: same fiber, same context, so a fiber run can be handed this fiber.
  const measuredIn = (input: In, fiber: Fiber.Fiber<unknown, unknown>): Effect.Effect<Out, E, R> => {
    const clock = fiber.getRef(Clock.Clock)
    const start = Metrics.monotonicMillis(clock)
    const effect = bodyIn === undefined ? body(input) : bodyIn(input, fiber)
    // Work done while building the effect (Effect.succeed(f(x)), a cache hit) is already over.
    if (Exit.isExit(effect)) {
      record(effect as Exit.Exit<Out, E>, fiber.context, clock, start)
      return effect
    }
    return measured(effect, fiber.context, clock, start)
  }
  const run = (input: In) =>
    Effect.withFiber((fiber) => {
      const measuring = Metrics.isEnabled(fiber)
      if (!isTracing(fiber)) {
        if (!measuring) return plainIn === undefined ? plain(input) : plainIn(input, fiber)
        return measuredIn(input, fiber)
      }
      const context = fiber.context
      const workflow = Context.getOrUndefined(context, WorkflowContext)
      return Effect.useSpan(
        spanName,
        workflow === undefined
          ? plainOptions
          : { attributes: { "tta.primitive.name": name, "tta.workflow.id": workflow.workflowId } },
        (span) => {
          // Only the parent span is provided (not withParentSpan's extra stack-frame entry): each
          // context change costs a fiber-cache rebuild, and this runs once per step.
          const traced = Effect.provideService(body(input), Tracer.ParentSpan, span)
          if (!measuring) return traced
          const clock = fiber.getRef(Clock.Clock)
          return measured(traced, context, clock, Metrics.monotonicMillis(clock))
        }
      )
    })
  return { run, measuredIn }
}

/** A leaf step from an Effect-returning function (kind `step`). */
export const step = <In, Out, E = never, R = never>(
  name: string,
  run: (input: In) => Effect.Effect<Out, E, R>
): Primitive<In, Out, E, R> => make({ name, kind: "step", run })

/** A leaf step from a plain function (kind `step`). A thrown exception is a defect. */
export const lift = <In, Out>(name: string, f: (input: In) => Out): Primitive<In, Out> =>
  make({ name, kind: "step", run: (input: In) => Effect.sync(() => f(input)) })

/** A step that always succeeds with `value`, whatever its input. */
export const succeed = <Out>(name: string, value: Out): Primitive<unknown, Out> =>
  make({ name, kind: "step", run: () => Effect.succeed(value) })

/** The same primitive under another name (the run and any shared state are kept). */
export const withName: {
  (name: string): <In, Out, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E, R>
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, name: string): Primitive<In, Out, E, R>
} = dual(2, <In, Out, E, R>(self: Primitive<In, Out, E, R>, name: string): Primitive<In, Out, E, R> => {
  const renamed = make({
    name,
    kind: self.kind,
    children: self.children,
    meta: self.meta,
    run: (self as Instance<In, Out, E, R>).body ?? self.run,
    plain: plainRun(self)
  })
  // Keep what combinators attach to their primitive (cache.invalidate, breaker.state, a saga
  // step's compensation): it still refers to the same shared state.
  for (const key of Reflect.ownKeys(self)) {
    if (!(key in renamed)) Object.defineProperty(renamed, key, Object.getOwnPropertyDescriptor(self, key)!)
  }
  return renamed
})

/** Throws an `InvalidOptionError` unless `value` is an integer ≥ `min`. */
export const requireInt = (primitive: string, option: string, value: number, min: number): number => {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError({
      primitive,
      option,
      message: `${primitive}: option ${option} must be an integer ≥ ${min}, got ${String(value)}`
    })
  }
  return value
}

/** Throws an `InvalidOptionError` unless `value` is a positive Duration; returns it. */
export const requireDuration = (
  primitive: string,
  option: string,
  value: Duration.Input
): Duration.Duration => {
  const duration = Option.getOrUndefined(Duration.fromInput(value))
  if (duration === undefined || Duration.toMillis(duration) <= 0) {
    throw new InvalidOptionError({
      primitive,
      option,
      message: `${primitive}: ${option} must be a positive Duration, got ${String(value)}`
    })
  }
  return duration
}

/** Default name of a combinator over `children`: `kind(a, b, c)`, shortened past four children. */
export const defaultName = (kind: string, children: ReadonlyArray<Any>): string => {
  const names = children.slice(0, 4).map((c) => c.name)
  if (children.length > 4) names.push(`…+${children.length - 4}`)
  return `${kind}(${names.join(", ")})`
}
