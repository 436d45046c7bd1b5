// Deterministic synthetic telemetry for a dozen services. Every sample is a pure function of
// (series, scrape timestamp): no state, no randomness, so any query gives the same answer on
// every run and any point in the retention window costs O(1) to compute.

export type Labels = Readonly<Record<string, string>>

export interface Series {
  readonly labels: Labels // includes __name__
  readonly sample: (t: number) => number
}

export interface ServiceProfile {
  readonly name: string
  readonly tier: "edge" | "core" | "support"
  readonly team: string
  readonly instances: number
  readonly rps: number // per instance, daily mean
  readonly latencyMs: number // p99 baseline
  readonly cpu: number // fraction of one core, baseline
  readonly memoryMiB: number
}

export const SERVICES: ReadonlyArray<ServiceProfile> = [
  {
    name: "api-gateway",
    tier: "edge",
    team: "platform",
    instances: 3,
    rps: 180,
    latencyMs: 95,
    cpu: 0.42,
    memoryMiB: 512
  },
  {
    name: "auth",
    tier: "core",
    team: "identity",
    instances: 2,
    rps: 90,
    latencyMs: 40,
    cpu: 0.25,
    memoryMiB: 256
  },
  {
    name: "billing",
    tier: "core",
    team: "payments",
    instances: 2,
    rps: 25,
    latencyMs: 160,
    cpu: 0.3,
    memoryMiB: 768
  },
  {
    name: "catalog",
    tier: "core",
    team: "commerce",
    instances: 3,
    rps: 120,
    latencyMs: 70,
    cpu: 0.35,
    memoryMiB: 1024
  },
  {
    name: "checkout",
    tier: "core",
    team: "commerce",
    instances: 3,
    rps: 45,
    latencyMs: 210,
    cpu: 0.38,
    memoryMiB: 640
  },
  {
    name: "inventory",
    tier: "core",
    team: "fulfilment",
    instances: 2,
    rps: 60,
    latencyMs: 85,
    cpu: 0.28,
    memoryMiB: 512
  },
  {
    name: "notifications",
    tier: "support",
    team: "growth",
    instances: 2,
    rps: 30,
    latencyMs: 120,
    cpu: 0.15,
    memoryMiB: 384
  },
  {
    name: "orders",
    tier: "core",
    team: "commerce",
    instances: 3,
    rps: 50,
    latencyMs: 140,
    cpu: 0.33,
    memoryMiB: 768
  },
  {
    name: "payments",
    tier: "core",
    team: "payments",
    instances: 3,
    rps: 40,
    latencyMs: 180,
    cpu: 0.4,
    memoryMiB: 896
  },
  {
    name: "search",
    tier: "edge",
    team: "discovery",
    instances: 3,
    rps: 150,
    latencyMs: 110,
    cpu: 0.55,
    memoryMiB: 2048
  },
  {
    name: "shipping",
    tier: "support",
    team: "fulfilment",
    instances: 2,
    rps: 20,
    latencyMs: 130,
    cpu: 0.18,
    memoryMiB: 384
  },
  {
    name: "users",
    tier: "core",
    team: "identity",
    instances: 2,
    rps: 70,
    latencyMs: 55,
    cpu: 0.22,
    memoryMiB: 512
  }
]

/** The server's frozen clock: "now" for instant queries and the end of the retention window. */
export const DEFAULT_NOW = Date.parse("2026-01-15T12:00:00Z") / 1000
export const RETENTION_SECONDS = 7 * 24 * 3600
export const SCRAPE_INTERVAL = 15

export interface Incident {
  readonly service: string
  readonly kind: "errors" | "latency"
  // offsets from "now", seconds
  readonly from: number
  readonly to: number
  // extra 5xx fraction (errors) or latency multiplier (latency) at the peak
  readonly peak: number
  readonly onset: number // seconds at half strength before the peak
}

// The scenario a triage workflow should uncover: payments is failing hard right now, checkout
// (which calls payments) is degraded, inventory had a burst of errors earlier in the day that
// has resolved, and search had a latency-only spike.
export const INCIDENTS: ReadonlyArray<Incident> = [
  { service: "payments", kind: "errors", from: -50 * 60, to: 70 * 60, peak: 0.3, onset: 10 * 60 },
  { service: "payments", kind: "latency", from: -50 * 60, to: 70 * 60, peak: 4, onset: 10 * 60 },
  { service: "checkout", kind: "errors", from: -40 * 60, to: 60 * 60, peak: 0.065, onset: 10 * 60 },
  { service: "inventory", kind: "errors", from: -9 * 3600, to: -8.5 * 3600, peak: 0.14, onset: 5 * 60 },
  { service: "search", kind: "latency", from: -6 * 3600, to: -5 * 3600, peak: 3, onset: 5 * 60 }
]

const BASE_ERROR_FRACTION = 0.004
const CLIENT_ERROR_FRACTION = 0.02
const DIURNAL = 0.35
const DAY = 86_400
const OMEGA = (2 * Math.PI) / DAY

// 32-bit string hash (FNV-1a) and an integer mixer: cheap, stable across platforms.
const fnv = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
const mix = (a: number, b: number): number => {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
/** Noise in [-1, 1] for a series at a scrape timestamp. */
const noise = (seed: number, t: number): number =>
  (mix(seed, Math.floor(t / SCRAPE_INTERVAL)) / 0xffffffff) * 2 - 1

const scrape = (t: number): number => Math.floor(t / SCRAPE_INTERVAL) * SCRAPE_INTERVAL

export interface Scenario {
  readonly now: number
  readonly series: ReadonlyArray<Series>
  readonly start: number // first sample of the retention window
}

export const makeScenario = (now: number = DEFAULT_NOW): Scenario => {
  const start = now - RETENTION_SECONDS
  const windows = (service: string, kind: Incident["kind"]) =>
    INCIDENTS.filter((i) => i.service === service && i.kind === kind).flatMap((i) => [
      // onset at half strength, then the peak
      { s: now + i.from, e: now + i.from + i.onset, v: i.peak / 2 },
      { s: now + i.from + i.onset, e: now + i.to, v: i.peak }
    ])
  const series: Array<Series> = []
  for (const svc of SERVICES) {
    const errorWindows = windows(svc.name, "errors")
    const latencyWindows = windows(svc.name, "latency")
    const extraErrors = (t: number) =>
      errorWindows.reduce((acc, w) => (t >= w.s && t < w.e ? acc + w.v : acc), 0)
    const latencyFactor = (t: number) =>
      latencyWindows.reduce((acc, w) => (t >= w.s && t < w.e ? Math.max(acc, w.v) : acc), 1)
    for (let i = 0; i < svc.instances; i++) {
      const instance = `${svc.name}-${i}`
      const seed = fnv(instance)
      const phase = ((seed % 360) * Math.PI) / 180 / 8 // instances peak at slightly different times
      const rps = svc.rps * (0.9 + ((seed >>> 8) % 21) / 100)
      // R(t): requests served since the process started, closed form of ∫ rps·(1 + a·sin(ωt+φ)) dt
      const R = (t: number) => rps * (t - (DIURNAL / OMEGA) * Math.cos(OMEGA * t + phase))
      const served = (t: number) => R(t) - R(start)
      const between = (a: number, b: number) => (b > a ? R(b) - R(a) : 0)
      // 5xx count: the baseline fraction of everything plus each incident window's extra fraction
      const errors5xx = (t: number) =>
        BASE_ERROR_FRACTION * served(t) +
        errorWindows.reduce((acc, w) => acc + w.v * between(Math.max(w.s, start), Math.min(t, w.e)), 0)
      const base = { service: svc.name, instance }
      const add = (name: string, labels: Record<string, string>, sample: (t: number) => number) =>
        series.push({
          labels: { __name__: name, ...base, ...labels },
          sample: (t: number) => sample(scrape(t))
        })
      add("http_requests_total", { status: "2xx" }, (t) =>
        Math.floor((1 - CLIENT_ERROR_FRACTION) * served(t) - errors5xx(t))
      )
      add("http_requests_total", { status: "4xx" }, (t) => Math.floor(CLIENT_ERROR_FRACTION * served(t)))
      add("http_requests_total", { status: "5xx" }, (t) => Math.floor(errors5xx(t)))
      add("http_errors_total", {}, (t) => Math.floor(errors5xx(t)))
      const errSeed = mix(seed, 1)
      add("error_rate", {}, (t) =>
        round((BASE_ERROR_FRACTION + extraErrors(t)) * (1 + 0.15 * noise(errSeed, t)), 6)
      )
      const latSeed = mix(seed, 2)
      add("latency_p99_ms", {}, (t) => {
        const load = 1 + 0.2 * Math.sin(OMEGA * t + phase)
        return round(svc.latencyMs * load * latencyFactor(t) * (1 + 0.08 * noise(latSeed, t)), 1)
      })
      const cpuSeed = mix(seed, 3)
      add("cpu_usage", {}, (t) => {
        const load = 1 + DIURNAL * Math.sin(OMEGA * t + phase)
        const stress = latencyFactor(t) > 1 ? 1.6 : 1
        return round(Math.min(1, svc.cpu * load * stress * (1 + 0.05 * noise(cpuSeed, t))), 4)
      })
      const memSeed = mix(seed, 4)
      add("memory_bytes", {}, (t) => {
        // slow sawtooth: memory grows over six hours, then the GC/restart brings it back
        const growth = 1 + 0.25 * (((t - start) % (6 * 3600)) / (6 * 3600))
        return Math.round(svc.memoryMiB * 1024 * 1024 * growth * (1 + 0.01 * noise(memSeed, t)))
      })
    }
  }
  return { now, series, start }
}

export const round = (v: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

export interface MetricInfo {
  readonly name: string
  readonly type: "counter" | "gauge"
  readonly help: string
  readonly labels: ReadonlyArray<string>
}

export const METRICS: ReadonlyArray<MetricInfo> = [
  {
    name: "http_requests_total",
    type: "counter",
    help: "HTTP requests served, by status class (2xx, 4xx, 5xx).",
    labels: ["service", "instance", "status"]
  },
  {
    name: "http_errors_total",
    type: "counter",
    help: "HTTP 5xx responses.",
    labels: ["service", "instance"]
  },
  {
    name: "error_rate",
    type: "gauge",
    help: "Fraction of requests answered with 5xx over the last minute (0..1), per instance.",
    labels: ["service", "instance"]
  },
  {
    name: "latency_p99_ms",
    type: "gauge",
    help: "99th percentile request latency in milliseconds over the last minute.",
    labels: ["service", "instance"]
  },
  {
    name: "cpu_usage",
    type: "gauge",
    help: "CPU usage as a fraction of one core (0..1).",
    labels: ["service", "instance"]
  },
  { name: "memory_bytes", type: "gauge", help: "Resident memory in bytes.", labels: ["service", "instance"] }
]
