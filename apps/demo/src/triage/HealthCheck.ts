/**
 * The metrics server's flaky health check, as agent code behind a timeout (per attempt), retries,
 * and a circuit breaker whose state lives as long as the value `makeHealthCheck` returns.
 */
import { type CircuitBreaker, circuitBreaker, retry, type TimeoutError, timeout } from "@tta/core"
import type { Duration } from "effect"
import { type AgentContext, type AgentError, agentStep } from "../AgentStep.ts"
import type { Finding } from "./Assess.ts"
import { pct } from "./Request.ts"

export interface Health {
  readonly key: string
  readonly attempt: number
  readonly service: string
  readonly healthy: boolean
  readonly errorRate: number | null
}

export interface HealthCheckOptions {
  /** Limit of one attempt. Default 10 seconds (the call answers in milliseconds when healthy). */
  readonly timeout?: Duration.Input | undefined
  /** Retries after the first attempt. Default 3. */
  readonly retries?: number | undefined
  /** Consecutive failed checks (after retries) that open the breaker. Default 3. */
  readonly failureThreshold?: number | undefined
  readonly resetAfter?: Duration.Input | undefined
  /** Passed to flaky_check: how many calls per key fail first (the server's default is 2). */
  readonly failFirst?: number | undefined
  /** Passed to flaky_check: delay before it answers. */
  readonly delayMs?: number | undefined
}

export type HealthCheck = CircuitBreaker.CircuitBreaker<
  Finding,
  Health,
  AgentError | TimeoutError,
  AgentContext
>

export const makeHealthCheck = (options: HealthCheckOptions = {}): HealthCheck =>
  agentStep<Finding, Health>("health-check", "health-check.ts", {
    input: (f, ctx) => ({
      key: `${ctx.workflowId}/${f.service}`,
      service: f.service,
      ...(options.failFirst === undefined ? {} : { failFirst: options.failFirst }),
      ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs })
    }),
    summary: (h) =>
      `${h.service} ${h.healthy ? "healthy" : "unhealthy"} (error rate ${h.errorRate === null ? "?" : pct(h.errorRate)}) on attempt ${h.attempt}`
  }).pipe(
    timeout(options.timeout ?? "10 seconds"),
    retry({ times: options.retries ?? 3, backoff: { base: "50 millis", max: "1 second" } }),
    circuitBreaker({
      failureThreshold: options.failureThreshold ?? 3,
      resetAfter: options.resetAfter ?? "30 seconds",
      name: "health-breaker"
    })
  )
