// Prometheus HTTP API-shaped answers (/api/v1/query and /api/v1/query_range) over the scenario.
import { labelKey, makeEvaluator, PromQLError, parse, parseDuration, type Sample } from "./promql.ts"
import type { Labels, Scenario } from "./series.ts"

export const MAX_POINTS_PER_SERIES = 11_000 // Prometheus' own limit for query_range

export type PromValue = [number, string]
export type InstantResult = {
  status: "success"
  data:
    | { resultType: "vector"; result: Array<{ metric: Labels; value: PromValue }> }
    | { resultType: "scalar"; result: PromValue }
}
export type RangeResult = {
  status: "success"
  data: { resultType: "matrix"; result: Array<{ metric: Labels; values: Array<PromValue> }> }
}

// Prometheus renders sample values as strings; keep them short so results stay readable.
const fmt = (v: number): string => {
  if (Number.isNaN(v)) return "NaN"
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf"
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(8)))
}

/** Accepts unix seconds, RFC 3339, "now", or "now-1h" style offsets from the server's clock. */
export const parseTime = (input: number | string | undefined, now: number, field: string): number => {
  if (input === undefined) return now
  if (typeof input === "number") return input
  const s = input.trim()
  const rel = /^now(?:\s*([+-])\s*(.+))?$/.exec(s)
  if (rel) {
    if (!rel[1] || !rel[2]) return now
    const d = parseDuration(rel[2])
    if (d === undefined)
      throw new PromQLError(`${field}: bad duration ${JSON.stringify(rel[2])} in ${JSON.stringify(s)}`)
    return rel[1] === "-" ? now - d : now + d
  }
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s)
  const ms = Date.parse(s)
  if (Number.isNaN(ms)) {
    throw new PromQLError(
      `${field}: cannot parse ${JSON.stringify(s)} as unix seconds, RFC 3339 or now-<duration>`
    )
  }
  return ms / 1000
}

export const parseStep = (input: number | string): number => {
  const step =
    typeof input === "number" ? input : /^\d+(\.\d+)?$/.test(input) ? Number(input) : parseDuration(input)
  if (step === undefined || !(step > 0)) {
    throw new PromQLError(
      `step: expected a positive number of seconds or a duration like 60s, got ${JSON.stringify(input)}`
    )
  }
  return step
}

const sortSamples = (samples: ReadonlyArray<Sample>) =>
  [...samples].sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels)))

export const instantQuery = (scenario: Scenario, query: string, time?: number | string): InstantResult => {
  const t = parseTime(time, scenario.now, "time")
  const v = makeEvaluator(scenario.series, scenario.start, scenario.now)(parse(query), t)
  if (v._tag === "Scalar")
    return { status: "success", data: { resultType: "scalar", result: [t, fmt(v.value)] } }
  return {
    status: "success",
    data: {
      resultType: "vector",
      result: sortSamples(v.samples).map((s) => ({ metric: s.labels, value: [t, fmt(s.value)] }))
    }
  }
}

export const rangeQuery = (
  scenario: Scenario,
  query: string,
  start: number | string,
  end: number | string,
  step: number | string
): RangeResult => {
  const from = parseTime(start, scenario.now, "start")
  const to = parseTime(end, scenario.now, "end")
  const dt = parseStep(step)
  if (to < from) throw new PromQLError(`end (${to}) is before start (${from})`)
  const points = Math.floor((to - from) / dt) + 1
  if (points > MAX_POINTS_PER_SERIES) {
    throw new PromQLError(
      `exceeded maximum resolution of ${MAX_POINTS_PER_SERIES} points per timeseries (asked for ${points}); raise step`
    )
  }
  const node = parse(query)
  const evaluate = makeEvaluator(scenario.series, scenario.start, scenario.now)
  const bySeries = new Map<string, { metric: Labels; values: Array<PromValue> }>()
  for (let i = 0; i < points; i++) {
    const t = from + i * dt
    const v = evaluate(node, t)
    const samples = v._tag === "Scalar" ? [{ labels: {}, value: v.value }] : v.samples
    for (const s of samples) {
      const key = labelKey(s.labels)
      let entry = bySeries.get(key)
      if (!entry) {
        entry = { metric: s.labels, values: [] }
        bySeries.set(key, entry)
      }
      entry.values.push([t, fmt(s.value)])
    }
  }
  const result = [...bySeries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e)
  return { status: "success", data: { resultType: "matrix", result } }
}
