/** Input limits. Names follow the Agent Skills rules, which also make them safe path segments. */
import { Predicate } from "effect"
import { SkillInvalid } from "./Errors.ts"

export interface Limits {
  /** Longest code accepted, in UTF-8 bytes (default 256 KiB). */
  readonly maxCodeBytes: number
  /** Longest description, in characters (default 1024, the Agent Skills limit). */
  readonly maxDescriptionChars: number
  /** Longest usage notes, in characters (default 16 KiB). */
  readonly maxUsageChars: number
  /** Most tags per skill (default 20). */
  readonly maxTags: number
}

export const defaultLimits: Limits = {
  maxCodeBytes: 256 * 1024,
  maxDescriptionChars: 1024,
  maxUsageChars: 16 * 1024,
  maxTags: 20
}

export const maxNameLength = 64
const namePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const tagPattern = /^[a-z0-9][a-z0-9_.+-]{0,39}$/

/** Lowercase letters, digits and single hyphens, at most 64 characters: no `..`, no `/`, no `\`. */
export const name = (value: unknown): SkillInvalid | undefined => {
  if (!Predicate.isString(value)) return new SkillInvalid({ field: "name", message: "name must be a string" })
  if (value.length === 0 || value.length > maxNameLength || !namePattern.test(value)) {
    return new SkillInvalid({
      field: "name",
      message: `name ${JSON.stringify(value.slice(0, 80))} is not a skill name: use 1-${maxNameLength} lowercase letters, digits and single hyphens (e.g. "parse-csv")`
    })
  }
  return undefined
}

export const version = (value: unknown): SkillInvalid | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 1
    ? undefined
    : new SkillInvalid({
        field: "version",
        message: `version must be a positive integer, got ${String(value)}`
      })

export const description = (value: unknown, limits: Limits): SkillInvalid | undefined => {
  if (!Predicate.isString(value) || value.trim().length === 0) {
    return new SkillInvalid({ field: "description", message: "description must be a non-empty string" })
  }
  if (value.length > limits.maxDescriptionChars) {
    return new SkillInvalid({
      field: "description",
      message: `description is ${value.length} characters, the limit is ${limits.maxDescriptionChars}`
    })
  }
  return undefined
}

export const usage = (value: unknown, limits: Limits): SkillInvalid | undefined => {
  if (value === undefined) return undefined
  if (!Predicate.isString(value))
    return new SkillInvalid({ field: "usage", message: "usage must be a string" })
  return value.length > limits.maxUsageChars
    ? new SkillInvalid({
        field: "usage",
        message: `usage notes are ${value.length} characters, the limit is ${limits.maxUsageChars}`
      })
    : undefined
}

export const tags = (value: unknown, limits: Limits): SkillInvalid | undefined => {
  if (value === undefined) return undefined
  if (!Array.isArray(value))
    return new SkillInvalid({ field: "tags", message: "tags must be an array of strings" })
  if (value.length > limits.maxTags) {
    return new SkillInvalid({
      field: "tags",
      message: `${value.length} tags, the limit is ${limits.maxTags}`
    })
  }
  const bad = value.find((t) => !Predicate.isString(t) || !tagPattern.test(t))
  return bad === undefined
    ? undefined
    : new SkillInvalid({
        field: "tags",
        message: `tag ${JSON.stringify(bad)} is not a tag: use up to 40 lowercase letters, digits and - _ . +`
      })
}

export const codeSize = (value: unknown, limits: Limits): SkillInvalid | undefined => {
  if (!Predicate.isString(value)) return new SkillInvalid({ field: "code", message: "code must be a string" })
  const bytes = Buffer.byteLength(value, "utf8")
  return bytes > limits.maxCodeBytes
    ? new SkillInvalid({
        field: "code",
        message: `code is ${bytes} bytes, the limit is ${limits.maxCodeBytes}`
      })
    : undefined
}

export const durationMs = (value: unknown): SkillInvalid | undefined =>
  Predicate.isNumber(value) && Number.isFinite(value) && value >= 0
    ? undefined
    : new SkillInvalid({
        field: "durationMs",
        message: `durationMs must be a finite number >= 0, got ${String(value)}`
      })
