/**
 * Typed errors raised by the primitives themselves (not by the work inside them).
 */
import { Schema } from "effect"

/** A combinator was given options it cannot work with (thrown when the primitive is built). */
export class InvalidOptionError extends Schema.TaggedError<InvalidOptionError>()("InvalidOptionError", {
  primitive: Schema.String,
  option: Schema.String,
  message: Schema.String
}) {}

/** `timeout`: the inner work did not finish in time and was interrupted. */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  primitive: Schema.String,
  timeoutMillis: Schema.Number,
  message: Schema.String
}) {}

/** `circuitBreaker`: the breaker is open (or half-open with every probe slot taken). */
export class CircuitOpenError extends Schema.TaggedError<CircuitOpenError>()("CircuitOpenError", {
  primitive: Schema.String,
  state: Schema.Literals(["open", "half-open"]),
  retryAfterMillis: Schema.Number,
  message: Schema.String
}) {}

/** `bulkhead`: every slot and every queue place is taken. */
export class BulkheadFullError extends Schema.TaggedError<BulkheadFullError>()("BulkheadFullError", {
  primitive: Schema.String,
  maxConcurrent: Schema.Number,
  maxQueue: Schema.Number,
  message: Schema.String
}) {}

/** `route`: the selector chose a key that has no route, and no fallback was given. */
export class RouteNotFoundError extends Schema.TaggedError<RouteNotFoundError>()("RouteNotFoundError", {
  primitive: Schema.String,
  key: Schema.String,
  known: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/**
 * `fallback`: the primary and every alternative failed. `failures` keeps each typed failure,
 * in the order the primitives ran.
 */
export class FallbackError<E = unknown> extends Schema.TaggedError<FallbackError>()("FallbackError", {
  primitive: Schema.String,
  attempted: Schema.Array(Schema.String),
  failures: Schema.Array(Schema.Unknown),
  message: Schema.String
}) {
  declare readonly failures: ReadonlyArray<E>
}

/** One compensation of a saga that failed (its typed error or defect). */
export interface CompensationFailure {
  readonly step: string
  readonly error: unknown
}

/**
 * `saga`: a step failed. The completed steps before it were compensated in reverse order;
 * `compensated` names those whose compensation succeeded, `compensationFailures` those that did not.
 */
export class SagaError<E = unknown> extends Schema.TaggedError<SagaError>()("SagaError", {
  primitive: Schema.String,
  failedStep: Schema.String,
  error: Schema.Unknown,
  compensated: Schema.Array(Schema.String),
  compensationFailures: Schema.Array(Schema.Struct({ step: Schema.String, error: Schema.Unknown })),
  message: Schema.String
}) {
  declare readonly error: E
}

/** Renders an unknown failure for an error message. */
export const describeFailure = (error: unknown): string => {
  if (error !== null && typeof error === "object") {
    const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : undefined
    const message = "message" in error && typeof error.message === "string" ? error.message : undefined
    if (tag && message) return `${tag}: ${message}`
    if (tag || message) return (tag ?? message)!
  }
  return String(error)
}
