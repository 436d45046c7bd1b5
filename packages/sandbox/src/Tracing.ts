import { type Fiber, Tracer } from "effect"

/**
 * Whether spans opened on this fiber reach a tracer someone installed (an OpenTelemetry layer,
 * `Effect.withTracer`). False under Effect's default native tracer, whose spans nobody exports, and
 * with `Effect.withTracerEnabled(false)`: the sandbox's spans are then skipped, not made and
 * dropped (a span and its attributes were ~25% of the host side of a cold QuickJS execution).
 * The same test as `isTracing` in @tta/core's Primitive.ts, repeated (8 lines) so that the sandbox
 * depends on no package of ours.
 */
export const isTracing = (fiber: Fiber.Fiber<unknown, unknown>): boolean => {
  // The fiber cache holds only an explicitly provided tracer (undefined means the native one).
  const tracer = fiber.cache.tracer
  return tracer !== undefined && tracer !== Tracer.nativeTracer && fiber.cache.tracerEnabled
}
