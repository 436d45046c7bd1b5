/**
 * Type text: a converted TypeScript type with how tightly it binds, and the small builders the
 * schema converter (SchemaType.ts) composes — atoms, unions, intersections, literals, comments.
 */

/** A converted type: its text and how tightly it binds (0 union, 1 intersection, 2 atom). */
export interface TypeText {
  readonly text: string
  readonly prec: 0 | 1 | 2
  readonly isUnknown?: boolean
  readonly isNever?: boolean
  readonly isObject?: boolean
  /** Named types (from `$ref`) the text mentions, so unused ones are never written. */
  readonly refs?: ReadonlyArray<string>
  /** The members of a union, so nested unions flatten and deduplicate. */
  readonly members?: ReadonlyArray<TypeText>
}

export const MAX_DEPTH = 48

export const UNKNOWN: TypeText = { text: "unknown", prec: 2, isUnknown: true }
export const NEVER: TypeText = { text: "never", prec: 2, isNever: true }
export const NULL: TypeText = { text: "null", prec: 2 }
export const UNDEFINED: TypeText = { text: "undefined", prec: 2 }
export const atom = (text: string, refs?: ReadonlyArray<string>): TypeText =>
  refs === undefined || refs.length === 0 ? { text, prec: 2 } : { text, prec: 2, refs }

export const refsOf = (types: ReadonlyArray<TypeText>): ReadonlyArray<string> | undefined => {
  const out: Array<string> = []
  for (const t of types) if (t.refs !== undefined) out.push(...t.refs)
  return out.length === 0 ? undefined : out
}

export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Text safe inside a block comment. */
export const commentText = (text: string): string => text.replace(/\*\//g, "*\\/")

export const inlineComment = (text: string): string =>
  commentText(
    text
      .replace(/[\r\n\u2028\u2029]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  ).slice(0, 200)

export const unsupported = (why: string): TypeText => ({
  text: `unknown /* ${inlineComment(why)} */`,
  prec: 2,
  isUnknown: true
})

export const short = (u: unknown): string => {
  const s = JSON.stringify(u) ?? String(u)
  return s.length > 60 ? `${s.slice(0, 60)}…` : s
}

/** A JSDoc block (or nothing) for the given paragraphs, at the given indentation. */
export const docBlock = (paragraphs: ReadonlyArray<string>, pad: string): string => {
  const lines: Array<string> = []
  for (const p of paragraphs) {
    if (lines.length > 0) lines.push("")
    for (const line of commentText(p).split(/\r\n|[\r\n\u2028\u2029]/)) lines.push(line.trimEnd())
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  while (lines.length > 0 && lines[0] === "") lines.shift()
  if (lines.length === 0) return ""
  if (lines.length === 1) return `${pad}/** ${lines[0]} */\n`
  return `${pad}/**\n${lines.map((l) => (l === "" ? `${pad} *` : `${pad} * ${l}`)).join("\n")}\n${pad} */\n`
}

export const union = (members: ReadonlyArray<TypeText>): TypeText => {
  const seen = new Set<string>()
  const kept: Array<TypeText> = []
  for (const m of members.flatMap((m) => m.members ?? [m])) {
    if (m.isUnknown) return m
    if (m.isNever || seen.has(m.text)) continue
    seen.add(m.text)
    kept.push(m)
  }
  if (kept.length === 0) return NEVER
  if (kept.length === 1) return kept[0]!
  const refs = refsOf(kept)
  const text = kept.map((m) => m.text).join(" | ")
  return refs === undefined ? { text, prec: 0, members: kept } : { text, prec: 0, members: kept, refs }
}

export const intersection = (members: ReadonlyArray<TypeText>): TypeText => {
  const seen = new Set<string>()
  const kept: Array<TypeText> = []
  for (const m of members) {
    if (m.isNever) return NEVER
    if (m.isUnknown || seen.has(m.text)) continue
    seen.add(m.text)
    kept.push(m)
  }
  if (kept.length === 0) return members.find((m) => m.isUnknown) ?? UNKNOWN
  if (kept.length === 1) return kept[0]!
  const refs = refsOf(kept)
  const text = kept.map((m) => (m.prec === 0 ? `(${m.text})` : m.text)).join(" & ")
  return refs === undefined ? { text, prec: 1 } : { text, prec: 1, refs }
}

export const identifierKey = /^[A-Za-z_$][A-Za-z0-9_$]*$/
export const propertyKey = (key: string): string => (identifierKey.test(key) ? key : JSON.stringify(key))

/** A JSON value as a literal type. */
export const literal = (value: unknown, depth = 0): TypeText => {
  if (value === null) return NULL
  switch (typeof value) {
    case "string":
      return atom(JSON.stringify(value))
    case "number":
      return Number.isFinite(value) ? atom(String(value)) : unsupported(`non-finite literal ${value}`)
    case "boolean":
      return atom(String(value))
  }
  if (depth > MAX_DEPTH) return unsupported("literal nested too deeply")
  if (Array.isArray(value)) return atom(`[${value.map((v) => literal(v, depth + 1).text).join(", ")}]`)
  if (isRecord(value)) {
    const entries = Object.keys(value).map((k) => `${propertyKey(k)}: ${literal(value[k], depth + 1).text}`)
    return atom(entries.length === 0 ? "{}" : `{ ${entries.join("; ")} }`)
  }
  return unsupported(`literal of type ${typeof value}`)
}
