import { Duration } from "effect"
import { LimitExceeded, type LimitName } from "./Errors.ts"

/** What one execution may use. Every field is optional; {@link defaults} fills the rest. */
export interface Limits {
  /** Time from start to result, host calls and timers included. Default 30 seconds. */
  readonly wallTime?: Duration.Input
  /** Time spent running the code itself (not waiting on host calls). Default 30 seconds. */
  readonly cpuTime?: Duration.Input
  /** Heap the code may allocate, in megabytes. Default 128. */
  readonly memoryMb?: number
  /** Bytes of console output plus the JSON of the returned value. Default 1 MB (1,048,576). */
  readonly outputBytes?: number
  /** Host calls one execution may make. Default 1,000. */
  readonly hostCalls?: number
}

/** Limits with every field resolved to a plain number (milliseconds, megabytes, bytes, count). */
export interface ResolvedLimits {
  readonly wallTimeMs: number
  readonly cpuTimeMs: number
  readonly memoryMb: number
  readonly outputBytes: number
  readonly hostCalls: number
}

export const defaults: ResolvedLimits = {
  wallTimeMs: 30_000,
  cpuTimeMs: 30_000,
  memoryMb: 128,
  outputBytes: 1024 * 1024,
  hostCalls: 1_000
}

export const resolve = (limits: Limits | undefined, base: ResolvedLimits = defaults): ResolvedLimits => ({
  wallTimeMs: limits?.wallTime === undefined ? base.wallTimeMs : Duration.toMillis(limits.wallTime),
  cpuTimeMs: limits?.cpuTime === undefined ? base.cpuTimeMs : Duration.toMillis(limits.cpuTime),
  memoryMb: limits?.memoryMb ?? base.memoryMb,
  outputBytes: limits?.outputBytes ?? base.outputBytes,
  hostCalls: limits?.hostCalls ?? base.hostCalls
})

const describe: Record<LimitName, (v: number) => string> = {
  wallTime: (v) => `wall-time limit of ${v} ms exceeded`,
  cpuTime: (v) => `CPU-time limit of ${v} ms exceeded`,
  memory: (v) => `memory limit of ${v} MB exceeded`,
  outputBytes: (v) => `output limit of ${v} bytes (console output + returned value) exceeded`,
  hostCalls: (v) => `host-call limit of ${v} calls exceeded`
}

const settingOf: Record<LimitName, (l: ResolvedLimits) => number> = {
  wallTime: (l) => l.wallTimeMs,
  cpuTime: (l) => l.cpuTimeMs,
  memory: (l) => l.memoryMb,
  outputBytes: (l) => l.outputBytes,
  hostCalls: (l) => l.hostCalls
}

export const exceeded = (limit: LimitName, limits: ResolvedLimits): LimitExceeded => {
  const value = settingOf[limit](limits)
  return new LimitExceeded({ limit, value, message: describe[limit](value) })
}
