/**
 * The three checks, in parallel, each agent code run in the sandbox: the error rates now, the
 * error history (ErrorHistory.ts) and the latency spikes over the request's window.
 */
import { type Primitive, parallel } from "@tta/core"
import { type AgentContext, agentStep } from "../AgentStep.ts"
import { type HistoryError, type HistoryScan, makeErrorHistory } from "./ErrorHistory.ts"
import { defaultRequest, pct, type TriageRequest } from "./Request.ts"

export interface LatencySpike {
  readonly service: string
  readonly medianMs: number
  readonly currentMs: number
  readonly peakMs: number
  readonly peakAt: string
}
export interface LatencyScan {
  readonly points: number
  readonly spikes: ReadonlyArray<LatencySpike>
}
export interface Checks {
  readonly current: Readonly<Record<string, number>>
  readonly history: HistoryScan
  readonly latency: LatencyScan
}

export const makeChecks = (): Primitive.Primitive<TriageRequest, Checks, HistoryError, AgentContext> => {
  const current = agentStep<TriageRequest, Record<string, number>>("current-errors", "current-errors.ts", {
    summary: (rates) => {
      const hot = Object.entries(rates).filter(([, r]) => r > defaultRequest.threshold)
      return `${Object.keys(rates).length} services; above 5% now: ${hot.map(([s, r]) => `${s} ${pct(r)}`).join(", ") || "none"}`
    }
  })
  const latency = agentStep<TriageRequest, LatencyScan>("latency", "latency.ts", {
    input: (request) => ({ window: request.window, step: request.step, factor: 2 }),
    summary: (l) =>
      `${l.points.toLocaleString("en-US")} points reduced in the sandbox; p99 spikes: ${l.spikes.map((s) => s.service).join(", ") || "none"}`
  })
  return parallel({ current, history: makeErrorHistory(), latency }, { name: "checks" })
}
