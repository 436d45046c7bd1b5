// Agent code: p99 latency of every instance over a window (tens of thousands of points), reduced
// to the services whose worst instance went above `factor` times its own median.
import { queryRange } from "./servers/metrics/index.ts"

const input = __INPUT__ as { window: string; step: number; factor: number }
const { data } = await queryRange({
  query: "latency_p99_ms",
  start: `now-${input.window}`,
  end: "now",
  step: input.step
})
const worst = new Map<string, Map<number, number>>()
let points = 0
for (const series of data.result) {
  const service = series.metric.service ?? "?"
  const byTime = worst.get(service) ?? new Map<number, number>()
  worst.set(service, byTime)
  for (const [t, v] of series.values) {
    points++
    if (Number(v) > (byTime.get(t) ?? 0)) byTime.set(t, Number(v))
  }
}
const spikes = []
for (const [service, byTime] of worst) {
  const times = [...byTime.keys()].sort((a, b) => a - b)
  const values = times.map((t) => byTime.get(t) ?? 0)
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
  const current = values.at(-1) ?? 0
  let peak = 0
  let peakAt = 0
  values.forEach((v, i) => {
    if (v > peak) {
      peak = v
      peakAt = times[i] ?? 0
    }
  })
  if (peak > input.factor * median) {
    spikes.push({
      service,
      medianMs: Math.round(median),
      currentMs: Math.round(current),
      peakMs: Math.round(peak),
      peakAt: new Date(peakAt * 1000).toISOString()
    })
  }
}
export default { points, spikes }
