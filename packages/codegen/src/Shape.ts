/**
 * Learned output types: the shape of the results a tool actually returned, for tools that declare
 * no outputSchema, so that the generated file can say more than `unknown` and the next agent writes
 * the call without a probe run. A shape is plain JSON (kept between runs), merged as more results
 * are seen: different kinds become a union, array elements merge into one element type. Objects
 * are rendered open, every field optional: what was seen, not a promise about the next result.
 *
 * Values never leak into a shape: strings, numbers and booleans are kept as their types. The one
 * exception is an enum — a string field seen in many results holding only a few short,
 * identifier-like values (`"open" | "paid"`); anything else (an email, a name, an id) makes the field
 * a plain `string` and its values are dropped. Objects whose keys look like data (many keys, or keys
 * that are not identifiers) become `Record<string, T>`, so keys never leak either; so do array
 * elements whose fields depend on the call (rows sharing no column).
 */

export type Shape =
  | { readonly kind: "unknown" }
  | { readonly kind: "null" }
  | { readonly kind: "boolean" }
  | { readonly kind: "number" }
  | { readonly kind: "string"; readonly values?: ReadonlyArray<string>; readonly seen: number }
  | { readonly kind: "array"; readonly element: Shape | null }
  | {
      readonly kind: "object"
      readonly seen: number
      readonly fields: Readonly<Record<string, { readonly shape: Shape; readonly seen: number }>>
    }
  | { readonly kind: "record"; readonly value: Shape }
  | { readonly kind: "union"; readonly members: ReadonlyArray<Shape> }

/** A tool's learned output: its shape and how many results it was learned from. */
export interface Learned {
  readonly shape: Shape
  readonly samples: number
}

/** Enum candidates: at most this many distinct values, each a short identifier-like word. */
const MAX_ENUM = 6
const ENUM_VALUE = /^[A-Za-z][A-Za-z0-9_-]{0,23}$/
/** An enum is shown only once the field was seen this often. */
const ENUM_MIN_SEEN = 8
/** More keys than this, or any key that is not an identifier, and an object is a record. */
const MAX_FIELDS = 40
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/
/** Array elements looked at per array: enough for the shape, bounded for huge results. */
const SAMPLE_ELEMENTS = 32
const MAX_DEPTH = 8

const UNKNOWN: Shape = { kind: "unknown" }

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The shape of one value. */
export const of = (value: unknown, depth = 0): Shape => {
  if (depth > MAX_DEPTH) return UNKNOWN
  if (value === null) return { kind: "null" }
  switch (typeof value) {
    case "boolean":
      return { kind: "boolean" }
    case "number":
      return { kind: "number" }
    case "string":
      return ENUM_VALUE.test(value)
        ? { kind: "string", values: [value], seen: 1 }
        : { kind: "string", seen: 1 }
  }
  if (Array.isArray(value)) {
    let element: Shape | null = null
    for (const item of value.slice(0, SAMPLE_ELEMENTS)) {
      const s = of(item, depth + 1)
      element = element === null ? s : mergeElements(element, s)
    }
    return { kind: "array", element }
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
    if (keys.length > MAX_FIELDS || keys.some((k) => !FIELD_NAME.test(k))) {
      let v: Shape | null = null
      for (const k of keys.slice(0, SAMPLE_ELEMENTS)) {
        const s = of(value[k], depth + 1)
        v = v === null ? s : merge(v, s)
      }
      return { kind: "record", value: v ?? UNKNOWN }
    }
    const fields: Record<string, { shape: Shape; seen: number }> = {}
    for (const k of keys) fields[k] = { shape: of(value[k], depth + 1), seen: 1 }
    return { kind: "object", seen: 1, fields }
  }
  return UNKNOWN
}

const mergeStrings = (
  a: Extract<Shape, { kind: "string" }>,
  b: Extract<Shape, { kind: "string" }>
): Shape => {
  const seen = a.seen + b.seen
  if (a.values === undefined || b.values === undefined) return { kind: "string", seen }
  const values = [...new Set([...a.values, ...b.values])].sort()
  return values.length > MAX_ENUM ? { kind: "string", seen } : { kind: "string", values, seen }
}

const mergeObjects = (
  a: Extract<Shape, { kind: "object" }>,
  b: Extract<Shape, { kind: "object" }>
): Shape => {
  const fields: Record<string, { shape: Shape; seen: number }> = { ...a.fields }
  for (const [k, f] of Object.entries(b.fields)) {
    const mine = fields[k]
    fields[k] = mine === undefined ? f : { shape: merge(mine.shape, f.shape), seen: mine.seen + f.seen }
  }
  if (Object.keys(fields).length > MAX_FIELDS) {
    const value = Object.values(fields).reduce<Shape | null>(
      (v, f) => (v === null ? f.shape : merge(v, f.shape)),
      null
    )
    return { kind: "record", value: value ?? UNKNOWN }
  }
  return { kind: "object", seen: a.seen + b.seen, fields }
}

const members = (s: Shape): ReadonlyArray<Shape> => (s.kind === "union" ? s.members : [s])

const fieldsAsRecord = (o: Extract<Shape, { kind: "object" }>): Shape | null =>
  Object.values(o.fields).reduce<Shape | null>((v, f) => (v === null ? f.shape : merge(v, f.shape)), null)

/**
 * Two element shapes of arrays (rows) as one. Rows that share no field at all are not one type with
 * every field optional but rows whose columns depend on the call (a SQL tool's `SELECT`): they become
 * `Record<string, T>`, so one query's columns are not offered as the next query's.
 */
const mergeElements = (a: Shape, b: Shape): Shape => {
  if (a.kind === "object" && b.kind === "object") {
    const ka = Object.keys(a.fields)
    const kb = Object.keys(b.fields)
    if (ka.length > 0 && kb.length > 0 && !kb.some((k) => k in a.fields)) {
      const value = merge(fieldsAsRecord(a) ?? UNKNOWN, fieldsAsRecord(b) ?? UNKNOWN)
      return { kind: "record", value }
    }
  }
  const record = a.kind === "record" ? a : b.kind === "record" ? b : undefined
  const object = a.kind === "object" ? a : b.kind === "object" ? b : undefined
  if (record !== undefined && object !== undefined) {
    const fields = fieldsAsRecord(object)
    return { kind: "record", value: fields === null ? record.value : merge(record.value, fields) }
  }
  return merge(a, b)
}

/** Two shapes as one: the type that holds every value either describes. */
export const merge = (a: Shape, b: Shape): Shape => {
  if (a.kind === "unknown" || b.kind === "unknown") return UNKNOWN
  if (a.kind === "union" || b.kind === "union" || a.kind !== b.kind) {
    const out: Array<Shape> = [...members(a)]
    for (const m of members(b)) {
      const i = out.findIndex((o) => o.kind === m.kind)
      if (i >= 0) out[i] = merge(out[i]!, m)
      else out.push(m)
    }
    return out.length === 1 ? out[0]! : { kind: "union", members: out }
  }
  switch (a.kind) {
    case "string":
      return mergeStrings(a, b as typeof a)
    case "array": {
      const e = (b as typeof a).element
      return {
        kind: "array",
        element: a.element === null ? e : e === null ? a.element : mergeElements(a.element, e)
      }
    }
    case "object":
      return mergeObjects(a, b as typeof a)
    case "record":
      return { kind: "record", value: merge(a.value, (b as typeof a).value) }
    default:
      return a
  }
}

/** A learned output as TypeScript: enums only once more than one result was seen. */
export const renderLearned = (learned: Learned): string => render(learned.shape, learned.samples >= 2)

/** Adds one more result to what was learned of a tool. */
export const learn = (learned: Learned | undefined, value: unknown): Learned =>
  learned === undefined
    ? { shape: of(value), samples: 1 }
    : { shape: merge(learned.shape, of(value)), samples: learned.samples + 1 }

const pad = (depth: number) => "  ".repeat(depth)

/**
 * The TypeScript type a shape stands for. `enums` (on once a tool was seen returning several
 * results) shows a string field's few identifier-like values as a union of literals.
 */
export const render = (shape: Shape, enums = true, depth = 0): string => {
  switch (shape.kind) {
    case "unknown":
      return "unknown"
    case "null":
      return "null"
    case "boolean":
      return "boolean"
    case "number":
      return "number"
    case "string":
      return enums && shape.values !== undefined && shape.seen >= ENUM_MIN_SEEN
        ? shape.values.map((v) => JSON.stringify(v)).join(" | ")
        : "string"
    case "array": {
      const e = shape.element === null ? "unknown" : render(shape.element, enums, depth)
      return shape.element?.kind === "union" || (shape.element?.kind === "string" && e.includes("|"))
        ? `Array<${e}>`
        : `${e}[]`
    }
    case "record":
      return `Record<string, ${render(shape.value, enums, depth)}>`
    case "union":
      return shape.members.map((m) => render(m, enums, depth)).join(" | ")
    case "object": {
      // Open and optional: a result seen later may lack a field or carry others (a SQL tool's rows
      // depend on the query), and agent code that names its own row type must still type-check.
      const entries = Object.entries(shape.fields).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      const lines = entries.map(([k, f]) => {
        const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)
        return `${pad(depth + 1)}${key}?: ${render(f.shape, enums, depth + 1)}`
      })
      lines.push(`${pad(depth + 1)}[field: string]: unknown`)
      return `{\n${lines.join("\n")}\n${pad(depth)}}`
    }
  }
}
