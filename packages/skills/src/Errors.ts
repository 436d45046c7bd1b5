import { Schema } from "effect"

/** One finding of a `validate` hook; `line`/`column` are 1-based in the skill's code. */
export const Diagnostic = Schema.Struct({
  message: Schema.String,
  line: Schema.optionalKey(Schema.Number),
  column: Schema.optionalKey(Schema.Number),
  code: Schema.optionalKey(Schema.Number)
})
export type Diagnostic = typeof Diagnostic.Type

/** No skill of that name, or no such version of it. */
export class SkillNotFound extends Schema.TaggedError<SkillNotFound>()("SkillNotFound", {
  name: Schema.String,
  version: Schema.optionalKey(Schema.Union([Schema.Number, Schema.String])),
  message: Schema.String
}) {}

/**
 * Bad input: `field` names what was wrong (`name`, `description`, `tags`, `usage`, `code`,
 * `durationMs`...). For code that does not parse, `line` and `column` point at the error.
 */
export class SkillInvalid extends Schema.TaggedError<SkillInvalid>()("SkillInvalid", {
  field: Schema.String,
  message: Schema.String,
  line: Schema.optionalKey(Schema.Number),
  column: Schema.optionalKey(Schema.Number),
  /** What a `validate` hook (e.g. a type checker) reported, when that is why the code was refused. */
  diagnostics: Schema.optionalKey(Schema.Array(Diagnostic))
}) {}

/** A file of a skill that cannot be trusted: unreadable, malformed, or missing while others name it. */
export const Problem = Schema.Struct({
  /** Relative to the store root, e.g. `skills/parse-csv/stats.json`. */
  file: Schema.String,
  message: Schema.String
})
export type Problem = typeof Problem.Type

/**
 * A skill's files are corrupt, so the store will not change it (that would overwrite or forget
 * what is there): `problems` says which file and what is wrong. Fix or delete the file, or remove
 * the skill.
 */
export class SkillCorrupt extends Schema.TaggedError<SkillCorrupt>()("SkillCorrupt", {
  name: Schema.String,
  problems: Schema.Array(Problem),
  message: Schema.String
}) {}

/** The filesystem failed us (I/O error, or a skill lock held too long by a live process). */
export class SkillStoreError extends Schema.TaggedError<SkillStoreError>()("SkillStoreError", {
  operation: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

export type SkillError = SkillNotFound | SkillInvalid | SkillCorrupt | SkillStoreError
