/** What a triage run is asked, and how the triage writes the error rates it compares. */

export interface TriageRequest {
  /** How far back the history checks look, e.g. "1d". */
  readonly window: string
  /** Seconds between points of the range queries. */
  readonly step: number
  /** Error rate above which a service is in trouble (0.05 = 5 %). */
  readonly threshold: number
}

export const defaultRequest: TriageRequest = { window: "1d", step: 60, threshold: 0.05 }

/** An error rate as a percentage: 0.052 → "5.2%". */
export const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`
