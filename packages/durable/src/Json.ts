/**
 * Values kept in the journal are JSON. These helpers check that, and turn typed errors into JSON
 * objects that keep `_tag`, `message` and their fields (so `catchTag` still works after a replay).
 */
import { Predicate } from "effect"

/** Why `value` is not plain JSON, or undefined when it is. */
export const whyNotJson = (value: unknown, path = "$", seen?: Set<object>): string | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}`
    case "undefined":
      // As JSON.stringify: dropped from objects, null in arrays (toJson does the same).
      return undefined
    case "object": {
      if (value === null) return undefined
      // Allocated only for objects: most step outputs checked here are small values.
      seen ??= new Set<object>()
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

/**
 * `value` (already checked by `whyNotJson`) as the JSON the journal keeps: object fields that are
 * undefined are dropped and undefined array items become null, as JSON.stringify does (effect's
 * Schema.Json refuses undefined). Returns `value` itself when there is nothing to change.
 */
export const toJson = (value: unknown): unknown => {
  if (value === undefined) return null
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    let copy: Array<unknown> | undefined
    for (let i = 0; i < value.length; i++) {
      const v = value[i]
      const j = toJson(v)
      if (j !== v && copy === undefined) copy = value.slice(0, i)
      copy?.push(j)
    }
    return copy ?? value
  }
  let copy: Record<string, unknown> | undefined
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    const v = (value as Record<string, unknown>)[k]
    const j = v === undefined ? undefined : toJson(v)
    if ((v === undefined || j !== v) && copy === undefined) {
      copy = {}
      for (let p = 0; p < i; p++) copy[keys[p]!] = (value as Record<string, unknown>)[keys[p]!]
    }
    if (copy !== undefined && j !== undefined) copy[k] = j
  }
  return copy ?? value
}

/**
 * A typed error as a JSON object: `_tag`, `name`, `message` and those of its own fields that are
 * (or can be made) JSON, three levels deep; functions, symbols and class internals are dropped.
 * Always returns JSON (checked), so the journal can keep any failure.
 */
export const errorToJson = (error: unknown, depth = 0): unknown => {
  if (!(error instanceof Error) && whyNotJson(error) === undefined) return error ?? null
  if (typeof error !== "object" || error === null) {
    return typeof error === "number" || typeof error === "boolean" ? error : { message: String(error) }
  }
  const out: Record<string, unknown> = {}
  const tag = (error as { _tag?: unknown })._tag
  if (typeof tag === "string") out._tag = tag
  if (error instanceof Error) {
    out.name = error.name
    out.message = error.message
  }
  if (depth < 3) {
    for (const key of Object.keys(error)) {
      if (key === "stack" || key === "cause" || key in out) continue
      const v = (error as Record<string, unknown>)[key]
      if (v === undefined || typeof v === "function" || typeof v === "symbol") continue
      const converted = whyNotJson(v) === undefined ? v : errorToJson(v, depth + 1)
      if (whyNotJson(converted) === undefined) out[key] = converted
    }
  }
  if (out.message === undefined && "message" in error)
    out.message = String((error as { message: unknown }).message)
  return whyNotJson(out) === undefined ? out : { message: String(out.message ?? error) }
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
