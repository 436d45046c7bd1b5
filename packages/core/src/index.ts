export * as Branch from "./Branch.ts"
// The everyday names, flat.
export { branch, route } from "./Branch.ts"
export * as Bulkhead from "./Bulkhead.ts"
export { bulkhead } from "./Bulkhead.ts"
export * as Cache from "./Cache.ts"
export { cache } from "./Cache.ts"
export * as CircuitBreaker from "./CircuitBreaker.ts"
export { circuitBreaker } from "./CircuitBreaker.ts"
export * as Describe from "./Describe.ts"
export { describe, toMermaid } from "./Describe.ts"
export * as Errors from "./Errors.ts"
export {
  BulkheadFullError,
  CircuitOpenError,
  FallbackError,
  InvalidOptionError,
  RouteNotFoundError,
  SagaError,
  TimeoutError
} from "./Errors.ts"
export * as Fallback from "./Fallback.ts"
export { fallback } from "./Fallback.ts"
export * as Metrics from "./Metrics.ts"
export * as Parallel from "./Parallel.ts"
export { parallel } from "./Parallel.ts"
export * as Primitive from "./Primitive.ts"
export { lift, make, step, succeed, withName } from "./Primitive.ts"
export * as RateLimit from "./RateLimit.ts"
export { rateLimit } from "./RateLimit.ts"
export * as Retry from "./Retry.ts"
export { retry } from "./Retry.ts"
export * as Runner from "./Runner.ts"
export { run, runPromise } from "./Runner.ts"
export * as Saga from "./Saga.ts"
export { compensate, saga } from "./Saga.ts"
export * as Sequence from "./Sequence.ts"
export { andThen, sequence } from "./Sequence.ts"
export * as Spec from "./Spec.ts"
export * as Timeout from "./Timeout.ts"
export { timeout } from "./Timeout.ts"
export * as Transform from "./Transform.ts"
export { forEach, map, tap } from "./Transform.ts"
export { WorkflowContext, type WorkflowContextOptions, type WorkflowContextShape } from "./WorkflowContext.ts"
