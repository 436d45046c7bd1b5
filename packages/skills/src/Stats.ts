/**
 * Per-version run statistics (the `stats.json` beside each skill) and the choice of the "best"
 * version. Pure data and functions; the store does the I/O.
 */
import { Result, Schema } from "effect"

/** How many recent durations a version keeps for its percentiles (runs/failures are all-time). */
export const durationWindow = 200

const VersionRecordSchema = Schema.Struct({
  runs: Schema.Number,
  failures: Schema.Number,
  durations: Schema.Array(Schema.Number),
  lastError: Schema.optionalKey(Schema.Struct({ message: Schema.String, at: Schema.String })),
  savedAt: Schema.optionalKey(Schema.String),
  lastRunAt: Schema.optionalKey(Schema.String)
})
export type VersionRecord = typeof VersionRecordSchema.Type

const StatsFileSchema = Schema.Struct({
  // Which version index.ts holds and the hash of what was written: a different hash on disk
  // means a person edited index.ts.
  index: Schema.optionalKey(Schema.Struct({ version: Schema.Number, sha256: Schema.String })),
  versions: Schema.Record(Schema.String, VersionRecordSchema)
})
export type StatsFile = typeof StatsFileSchema.Type

export const empty: StatsFile = { versions: {} }

const decode = Schema.decodeUnknownResult(StatsFileSchema)

/** A stats.json as read: the statistics, or why the text is not a stats file. */
export type Parsed =
  | { readonly _tag: "Ok"; readonly stats: StatsFile }
  | { readonly _tag: "Corrupt"; readonly message: string }

/**
 * A missing file is no evidence yet; a truncated or hand-mangled one is reported as corrupt
 * (never read as "no runs", which the next write would make true).
 */
export const parse = (text: string | undefined): Parsed => {
  if (text === undefined) return { _tag: "Ok", stats: empty }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { _tag: "Corrupt", message: `not valid JSON (${(e as Error).message})` }
  }
  const decoded = decode(json)
  return Result.isSuccess(decoded)
    ? { _tag: "Ok", stats: decoded.success }
    : { _tag: "Corrupt", message: `not a stats file: ${String(decoded.failure).split("\n")[0]}` }
}

// Readable, but a list of durations stays on one line.
export const render = (stats: StatsFile): string =>
  `${JSON.stringify(stats, null, 2).replace(/\[\s*([-\d.e+,\s]*?)\s*\]/g, (_, nums: string) => `[${nums.split(/,\s*/).filter(Boolean).join(", ")}]`)}\n`

export interface Run {
  readonly ok: boolean
  readonly durationMs: number
  readonly error?: string | undefined
}

const emptyRecord: VersionRecord = { runs: 0, failures: 0, durations: [] }

export const recordOf = (stats: StatsFile, version: number): VersionRecord =>
  stats.versions[String(version)] ?? emptyRecord

export const withSaved = (stats: StatsFile, version: number, at: string): StatsFile => ({
  ...stats,
  versions: { ...stats.versions, [String(version)]: { ...recordOf(stats, version), savedAt: at } }
})

export const withRun = (stats: StatsFile, version: number, run: Run, at: string): StatsFile => {
  const prev = recordOf(stats, version)
  const durations = [...prev.durations, run.durationMs]
  const next: VersionRecord = {
    ...prev,
    runs: prev.runs + 1,
    failures: prev.failures + (run.ok ? 0 : 1),
    durations: durations.length > durationWindow ? durations.slice(-durationWindow) : durations,
    lastRunAt: at,
    ...(run.ok ? {} : { lastError: { message: (run.error ?? "failed").slice(0, 2000), at } })
  }
  return { ...stats, versions: { ...stats.versions, [String(version)]: next } }
}

/** Nearest-rank percentile of the recent durations. */
export const percentile = (durations: ReadonlyArray<number>, p: number): number | undefined => {
  if (durations.length === 0) return undefined
  const sorted = [...durations].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export interface VersionStats {
  readonly version: number
  readonly runs: number
  readonly failures: number
  /** `undefined` until the version has run. */
  readonly successRate: number | undefined
  readonly p50Ms: number | undefined
  readonly p95Ms: number | undefined
  readonly lastError: { readonly message: string; readonly at: string } | undefined
  readonly savedAt: string | undefined
  readonly lastRunAt: string | undefined
}

export const summarize = (stats: StatsFile, version: number): VersionStats => {
  const r = recordOf(stats, version)
  return {
    version,
    runs: r.runs,
    failures: r.failures,
    successRate: r.runs === 0 ? undefined : (r.runs - r.failures) / r.runs,
    p50Ms: percentile(r.durations, 50),
    p95Ms: percentile(r.durations, 95),
    lastError: r.lastError,
    savedAt: r.savedAt,
    lastRunAt: r.lastRunAt
  }
}

/**
 * The best version: the latest while it has fewer than `minRuns` runs (a new version, whether
 * saved or edited by hand, is on trial until there is evidence about it); then, among the
 * versions with at least `minRuns` runs, the highest success rate, then the lowest p50, then
 * the newest.
 */
export const best = (
  stats: StatsFile,
  versions: ReadonlyArray<number>,
  minRuns: number
): number | undefined => {
  if (versions.length === 0) return undefined
  const latest = Math.max(...versions)
  if (recordOf(stats, latest).runs < minRuns) return latest
  let winner: VersionStats | undefined
  for (const v of versions) {
    const s = summarize(stats, v)
    if (s.runs < minRuns) continue
    if (winner === undefined || better(s, winner)) winner = s
  }
  return winner?.version ?? latest
}

const better = (a: VersionStats, b: VersionStats): boolean => {
  const ra = a.successRate ?? 0
  const rb = b.successRate ?? 0
  if (ra !== rb) return ra > rb
  const pa = a.p50Ms ?? Number.POSITIVE_INFINITY
  const pb = b.p50Ms ?? Number.POSITIVE_INFINITY
  if (pa !== pb) return pa < pb
  return a.version > b.version
}
