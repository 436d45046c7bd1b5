// Agent code, saved as the skill `error-history` after its first run: every instance's error rate
// over a window (tens of thousands of points) reduced inside the sandbox to a few numbers per service.
import { queryRange } from "./servers/metrics/index.ts"

export interface ServiceHistory {
  service: string
  /** Highest error rate of any instance in the window. */
  peak: number
  /** Minutes some instance spent above the threshold. */
  minutesAbove: number
  /** Last time above the threshold (ISO), or null. */
  lastAbove: string | null
}

export async function scanErrorHistory(options: {
  window: string
  step: number
  threshold: number
}): Promise<{ points: number; services: ServiceHistory[] }> {
  const { data } = await queryRange({
    query: "error_rate",
    start: `now-${options.window}`,
    end: "now",
    step: options.step
  })
  // service -> timestamp -> worst instance at that time
  const worst = new Map<string, Map<number, number>>()
  let points = 0
  for (const series of data.result) {
    const service = series.metric.service ?? "?"
    const byTime = worst.get(service) ?? new Map<number, number>()
    worst.set(service, byTime)
    for (const [t, v] of series.values) {
      points++
      const rate = Number(v)
      if (rate > (byTime.get(t) ?? -1)) byTime.set(t, rate)
    }
  }
  const services: ServiceHistory[] = []
  for (const [service, byTime] of worst) {
    let peak = 0
    let above = 0
    let last: number | null = null
    for (const [t, rate] of byTime) {
      if (rate > peak) peak = rate
      if (rate > options.threshold) {
        above++
        if (last === null || t > last) last = t
      }
    }
    services.push({
      service,
      peak: Math.round(peak * 10_000) / 10_000,
      minutesAbove: Math.round((above * options.step) / 60),
      lastAbove: last === null ? null : new Date(last * 1000).toISOString()
    })
  }
  services.sort((a, b) => b.peak - a.peak)
  return { points, services }
}
