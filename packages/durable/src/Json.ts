/**
 * Values kept in the journal are JSON. These helpers check that, and turn typed errors into JSON
 * objects that keep `_tag`, `message` and their fields (so `catchTag` still works after a replay).
 */
import { Predicate } from "effect"

/** Why `value` is not plain JSON, or undefined when it is. */
export const whyNotJson = (value: unknown, path = "$", seen = new Set<object>()): string | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}`
    case "undefined":
      return path === "$" ? undefined : `${path} is undefined`
    case "object": {
      if (value === null) return undefined
      if (seen.has(value)) return `${path} is a cycle`
      seen.add(value)
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const why = whyNotJson(value[i], `${path}[${i}]`, seen)
            if (why !== undefined) return why
          }
          return undefined
        }
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          return `${path} is a ${proto?.constructor?.name ?? "class"} instance, not a plain object`
        }
        for (const key of Object.keys(value)) {
          const v = (value as Record<string, unknown>)[key]
          if (v === undefined) continue
          const why = whyNotJson(v, `${path}.${key}`, seen)
          if (why !== undefined) return why
        }
        return undefined
      } finally {
        seen.delete(value)
      }
    }
    default:
      return `${path} is a ${typeof value}`
  }
}

/** A typed error as a JSON object: `_tag`, `name`, `message` and its own JSON fields. */
export const errorToJson = (error: unknown): unknown => {
  if (whyNotJson(error) === undefined && !(error instanceof Error)) return error ?? null
  if (!Predicate.isObject(error)) return { message: String(error) }
  const out: Record<string, unknown> = {}
  const tag = (error as { _tag?: unknown })._tag
  if (typeof tag === "string") out._tag = tag
  if (error instanceof Error) {
    out.name = error.name
    out.message = error.message
  }
  for (const key of Object.keys(error)) {
    if (key === "stack" || key === "cause") continue
    const v = (error as Record<string, unknown>)[key]
    out[key] = whyNotJson(v) === undefined ? v : errorToJson(v)
  }
  return out
}

/** JSON with object keys sorted, so equal values give equal strings (idempotency keys). */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    Predicate.isObject(v) && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]])
        )
      : v
  ) ?? "null"
