/**
 * The incident triage, built from @tta/core primitives, each used for what it is for:
 *
 *   parallel   three checks at once, each agent code run in the sandbox (the history and latency
 *              checks pull tens of thousands of points and reduce them there)   triage/Checks.ts
 *   branch     reuse the saved `error-history` skill if there is one, else discover the API,
 *              write the code and save it as the skill                          triage/ErrorHistory.ts
 *   route      by severity, per service (forEach)                               triage/Respond.ts
 *   retry + timeout + circuitBreaker   around the metrics server's flaky health check
 *                                                                               triage/HealthCheck.ts
 *   cache      the docs lookup (one per kind of incident, shared across services and runs)
 *   saga       write the report (filesystem), record entities (memory), page on-call (everything);
 *              if a later step fails, the earlier ones are undone in reverse   triage/Saga.ts
 *
 * Severity itself is a pure function of the checks (triage/Assess.ts).
 */
import type { CodeMode } from "@tta/code-mode"
import {
  type CircuitOpenError,
  type Primitive,
  type RouteNotFoundError,
  type SagaError,
  sequence,
  type TimeoutError,
  withName
} from "@tta/core"
import type { McpHub } from "@tta/mcp"
import type { AgentContext, AgentError } from "./AgentStep.ts"
import { assessStep } from "./triage/Assess.ts"
import { makeChecks } from "./triage/Checks.ts"
import { type HealthCheck, type HealthCheckOptions, makeHealthCheck } from "./triage/HealthCheck.ts"
import type { TriageRequest } from "./triage/Request.ts"
import { makeRespond, makeRunbookLookup, type RunbookLookup } from "./triage/Respond.ts"
import { makeSaga, type TriageResult } from "./triage/Saga.ts"

// The workflow's input and output, where callers of the triage look for them.
export { defaultRequest, type TriageRequest } from "./triage/Request.ts"
export type { TriageResult } from "./triage/Saga.ts"

export interface TriageConfig {
  /** Where reports go: a directory the filesystem server may write to. */
  readonly reportDir: string
  readonly healthCheck?: HealthCheckOptions | undefined
  /** Page on-call in a step whose `approve` calls wait on a person (durable runs only). */
  readonly approvals?: boolean | undefined
}

export type TriageError =
  | AgentError
  | CodeMode.ApiFileNotFound
  | CodeMode.SkillTypeError
  | TimeoutError
  | CircuitOpenError
  | RouteNotFoundError
  | SagaError

/** Builds the workflow. Its cache and circuit breaker live as long as the returned value. */
export interface Triage {
  readonly workflow: Primitive.Primitive<TriageRequest, TriageResult, TriageError, AgentContext | McpHub>
  /** The health check's breaker: its state outlives runs. */
  readonly healthCheck: HealthCheck
  /** The cached docs lookup. */
  readonly runbook: RunbookLookup
}

export const makeTriage = (config: TriageConfig): Triage => {
  const healthCheck = makeHealthCheck(config.healthCheck)
  const runbook = makeRunbookLookup()
  const workflow = sequence(
    makeChecks(),
    assessStep,
    makeRespond(healthCheck, runbook),
    makeSaga(config)
  ).pipe(withName("incident-triage"))
  return { workflow, healthCheck, runbook }
}
