/**
 * The response per service, routed by severity (forEach + route): critical gets the health check
 * and the runbook, warning the runbook, resolved and ok a note. The runbook lookup is cached per
 * kind of incident, shared across services and runs.
 */
import {
  type Cache,
  type CircuitOpenError,
  cache,
  forEach,
  lift,
  map,
  type Primitive,
  parallel,
  type RouteNotFoundError,
  route,
  type TimeoutError
} from "@tta/core"
import { type AgentContext, type AgentError, agentStep } from "../AgentStep.ts"
import type { Finding, Severity } from "./Assess.ts"
import type { Health, HealthCheck } from "./HealthCheck.ts"

export interface Runbook {
  readonly id: string
  readonly title: string
  readonly section: string
  readonly excerpt: string
}

export interface Response {
  readonly service: string
  readonly severity: Severity
  readonly summary: string
  readonly action: string
  readonly health?: Health | undefined
  readonly runbook?: Runbook | undefined
}

export type RunbookLookup = Cache.Cached<Finding, Runbook, AgentError, AgentContext>

const runbookTopics: Record<Finding["kind"], string> = {
  errors: "retry backoff circuit breaker semantics",
  latency: "timeout hedge latency",
  none: "getting started"
}

/** What was found about one service and what was done about it. */
const responseTo = (
  f: Finding,
  action: string,
  found: Pick<Response, "health" | "runbook"> = {}
): Response => ({ service: f.service, severity: f.severity, summary: f.summary, action, ...found })

/** The docs lookup; its cache lives as long as the returned value. */
export const makeRunbookLookup = (): RunbookLookup =>
  agentStep<Finding, Runbook>("runbook-lookup", "runbook.ts", {
    input: (f) => ({ query: runbookTopics[f.kind] }),
    summary: (r, f) => `${f.kind} runbook: ${r.id} § ${r.section || "(top)"}`
  }).pipe(cache({ key: (f) => f.kind, ttl: "1 hour", capacity: 16, name: "cached-runbook" }))

export const makeRespond = (
  healthCheck: HealthCheck,
  runbook: RunbookLookup
): Primitive.Primitive<
  ReadonlyArray<Finding>,
  Array<Response>,
  AgentError | TimeoutError | RouteNotFoundError | CircuitOpenError,
  AgentContext
> => {
  const itself = lift("finding", (f: Finding) => f)

  const critical = parallel(
    { finding: itself, health: healthCheck, runbook },
    { name: "confirm + runbook" }
  ).pipe(
    map(({ finding, health, runbook }) =>
      responseTo(
        finding,
        `page on-call; health check on attempt ${health.attempt}: ${health.healthy ? "healthy" : "unhealthy"}`,
        { health, runbook }
      )
    )
  )
  const warning = parallel({ finding: itself, runbook }, { name: "runbook only" }).pipe(
    map(({ finding, runbook }) => responseTo(finding, "watch; runbook attached", { runbook }))
  )
  const noted = (name: string, action: string) => lift(name, (f: Finding) => responseTo(f, action))
  const resolved = noted("note-recovery", "none: recovered")
  const ok = noted("no-action", "none")
  return forEach(
    route((f: Finding) => f.severity, { critical, warning, resolved, ok }, undefined, {
      name: "by severity"
    }),
    {
      concurrency: 4,
      name: "respond"
    }
  )
}
