/**
 * Severity per service from the three checks. The rules are the workflow's, not the agent's: `assess`
 * is pure, and the `assess-severity` step reports what it found.
 */
import { type Primitive, step, WorkflowContext } from "@tta/core"
import { Effect } from "effect"
import { emit, type Progress } from "../Progress.ts"
import type { Checks, LatencySpike } from "./Checks.ts"
import { defaultRequest, pct, type TriageRequest } from "./Request.ts"

export type Severity = "critical" | "warning" | "resolved" | "ok"

export interface Finding {
  readonly service: string
  readonly severity: Severity
  readonly kind: "errors" | "latency" | "none"
  readonly errorRate: number
  readonly peakErrorRate: number
  readonly minutesAbove: number
  readonly latency?: LatencySpike | undefined
  readonly summary: string
}

/** Severity per service from the three checks (pure). */
export const assess = (checks: Checks, request: TriageRequest = defaultRequest): Array<Finding> => {
  const t = request.threshold
  const history = new Map(checks.history.services.map((s) => [s.service, s]))
  const spikes = new Map(checks.latency.spikes.map((s) => [s.service, s]))
  const services = [...new Set([...Object.keys(checks.current), ...history.keys()])].sort()
  const rank: Record<Severity, number> = { ok: 0, resolved: 1, warning: 2, critical: 3 }
  return services.map((service) => {
    const now = checks.current[service] ?? 0
    const h = history.get(service)
    const spike = spikes.get(service)
    const errorSeverity: Severity =
      now > 2 * t ? "critical" : now > t ? "warning" : (h?.peak ?? 0) > t ? "resolved" : "ok"
    const latencySeverity: Severity = !spike
      ? "ok"
      : spike.currentMs > 2 * spike.medianMs
        ? "warning"
        : "resolved"
    const severity = rank[errorSeverity] >= rank[latencySeverity] ? errorSeverity : latencySeverity
    const kind = errorSeverity !== "ok" ? "errors" : latencySeverity !== "ok" ? "latency" : "none"
    const parts: Array<string> = []
    if (errorSeverity !== "ok") {
      parts.push(
        `error rate ${pct(now)} now, peak ${pct(h?.peak ?? now)}, ${h?.minutesAbove ?? 0} min above ${pct(t)}` +
          (errorSeverity === "resolved" && h?.lastAbove ? ` (last ${h.lastAbove.slice(11, 16)} UTC)` : "")
      )
    }
    if (spike) {
      parts.push(
        `p99 peaked at ${spike.peakMs} ms (${(spike.peakMs / spike.medianMs).toFixed(1)}× median) at ${spike.peakAt.slice(11, 16)} UTC, ${spike.currentMs} ms now`
      )
    }
    return {
      service,
      severity,
      kind,
      errorRate: now,
      peakErrorRate: h?.peak ?? now,
      minutesAbove: h?.minutesAbove ?? 0,
      // Absent rather than undefined: a durable run keeps each step's output as JSON.
      ...(spike ? { latency: spike } : {}),
      summary: parts.join("; ") || `error rate ${pct(now)}`
    } satisfies Finding
  })
}

export const assessStep: Primitive.Primitive<
  Checks,
  Array<Finding>,
  never,
  WorkflowContext | Progress
> = step("assess-severity", (c: Checks) =>
  Effect.gen(function* () {
    const ctx = yield* WorkflowContext
    const findings = assess(c)
    const by = (s: Severity) =>
      findings
        .filter((f) => f.severity === s)
        .map((f) => f.service)
        .join(", ") || "none"
    yield* emit(
      ctx,
      "assess-severity",
      "info",
      `critical: ${by("critical")} · warning: ${by("warning")} · resolved: ${by("resolved")}`
    )
    return findings
  })
)
