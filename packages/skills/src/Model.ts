/** The store's public data shapes, shared by the reader, the writer and the service. */
import type { Effect } from "effect"
import type { Diagnostic, Problem } from "./Errors.ts"
import type * as Stats from "./Stats.ts"
import type * as Validate from "./Validate.ts"

export interface SaveInput {
  /** Lowercase slug, e.g. `parse-csv` (also the directory name). */
  readonly name: string
  /** What it does and when to use it (Agent Skills `description`). */
  readonly description: string
  /** TypeScript that exports a function. */
  readonly code: string
  readonly tags?: ReadonlyArray<string> | undefined
  /** Usage notes for SKILL.md; when omitted the notes already there are kept. */
  readonly usage?: string | undefined
}

export type VersionSelector = number | "latest" | "best"

export interface Skill {
  readonly name: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly usage: string
  /** The version whose code this is. */
  readonly version: number
  readonly code: string
  /** One line per export, with types. Empty if a hand-edited version no longer parses. */
  readonly signatures: ReadonlyArray<string>
  readonly latest: number
  /** The version in index.ts ("best"). */
  readonly chosen: number
  readonly stats: Stats.VersionStats
  readonly versions: ReadonlyArray<Stats.VersionStats>
  /** Present when files of the skill are corrupt or missing; the store then changes nothing of it. */
  readonly corrupt?: ReadonlyArray<Problem>
}

export interface SkillSummary {
  readonly name: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly latest: number
  readonly chosen: number
  /** Over all versions. */
  readonly runs: number
  readonly failures: number
  /** Present when files of the skill are corrupt or missing (then `runs` may not be the truth). */
  readonly corrupt?: ReadonlyArray<Problem>
}

export interface SearchHit extends SkillSummary {
  readonly score: number
}

/** What a `validate` hook is given: the code as it would be mounted, at `path`. */
export interface ValidateInput {
  readonly name: string
  /** Where sandboxed code imports it from: `skills/<name>/index.ts`. */
  readonly path: string
  readonly code: string
}

/**
 * Checks code before it is saved (e.g. a type checker that knows the API tree and the other
 * skills). Any diagnostic refuses the save with `SkillInvalid { field: "code", diagnostics }`.
 */
export type Validator = (input: ValidateInput) => Effect.Effect<ReadonlyArray<Diagnostic>>

export interface SaveOptions {
  /** Overrides the store's `validate` for this save. */
  readonly validate?: Validator | undefined
}

export interface Options extends Partial<Validate.Limits> {
  /** Directory that holds `skills/`. */
  readonly root: string
  /** Runs a version needs before its success rate counts (default 3). */
  readonly minRuns?: number
  /** fsync files before renaming them into place (default true). */
  readonly durable?: boolean
  /** Longest wait for a skill lock held by a live process (default 10 s). */
  readonly lockTimeoutMs?: number
  /** A lock file older than this is stale whoever holds it (default 60 s). */
  readonly staleLockMs?: number
  /**
   * How often the warm view behind `list`, `search` and `files` re-checks every skill's files for
   * edits by hand (default 1000 ms; 0 = on every call). Saves, runs and removals by any store, in
   * any process, show at once (they are journaled).
   */
  readonly rescanMs?: number
  /**
   * Load the warm view in the background as soon as the store opens (default false), so that a
   * long-lived process (the gateway) does not pay the first load in its first execution.
   */
  readonly prewarm?: boolean | undefined
  /** The former name of `rescanMs`. */
  readonly searchRescanMs?: number
  /** Checks every save's code (after the syntax check, before anything is written). */
  readonly validate?: Validator | undefined
}
