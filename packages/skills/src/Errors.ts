import { Schema } from "effect"

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
  column: Schema.optionalKey(Schema.Number)
}) {}

/** The filesystem failed us (I/O error, or a skill lock held too long by a live process). */
export class SkillStoreError extends Schema.TaggedError<SkillStoreError>()("SkillStoreError", {
  operation: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

export type SkillError = SkillNotFound | SkillInvalid | SkillStoreError
