/**
 * PII tokenization: personal data in tool results is swapped for stable tokens (`[EMAIL_1]`) before
 * sandboxed code sees it, and swapped back when a token appears in the arguments of a later tool call.
 * The model only ever sees tokens; real values travel host → MCP server directly.
 */

export interface PiiPattern {
  /** Token label: `EMAIL` gives `[EMAIL_1]`. Upper-case letters, digits and `_`. */
  readonly name: string
  readonly pattern: RegExp
}

export const email: PiiPattern = {
  name: "EMAIL",
  pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g
}

// International (+CC ...) or North-American style numbers with separators; bare digit runs are
// left alone so that ids and counts survive.
export const phone: PiiPattern = {
  name: "PHONE",
  pattern: /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}\b/g
}

export const defaultPatterns: ReadonlyArray<PiiPattern> = [email, phone]

export interface Tokenizer {
  /** Replaces PII in every string of a JSON-like value. */
  readonly tokenize: (value: unknown) => unknown
  /** Replaces known tokens in every string of a JSON-like value by the values they stand for. */
  readonly untokenize: (value: unknown) => unknown
  /** How many distinct values have been tokenized so far. */
  readonly size: () => number
}

const mapStrings = (value: unknown, f: (s: string) => string): unknown => {
  if (typeof value === "string") return f(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f))
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f)
    return out
  }
  return value
}

/** A tokenizer whose tokens are stable for the life of one session. */
export const make = (patterns: ReadonlyArray<PiiPattern> = defaultPatterns): Tokenizer => {
  for (const p of patterns) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(p.name)) {
      throw new Error(`PII pattern name "${p.name}" must be upper-case letters, digits and _`)
    }
  }
  const compiled = patterns.map((p) => ({
    name: p.name,
    regex: new RegExp(
      p.pattern.source,
      p.pattern.flags.includes("g") ? p.pattern.flags : `${p.pattern.flags}g`
    )
  }))
  const byValue = new Map<string, string>()
  const byToken = new Map<string, string>()
  const counters = new Map<string, number>()
  const tokenFor = (name: string, value: string): string => {
    const key = `${name}\u0000${value}`
    const known = byValue.get(key)
    if (known) return known
    const n = (counters.get(name) ?? 0) + 1
    counters.set(name, n)
    const token = `[${name}_${n}]`
    byValue.set(key, token)
    byToken.set(token, value)
    return token
  }
  const tokenRegex = /\[[A-Z][A-Z0-9_]*_\d+\]/g
  return {
    tokenize: (value) =>
      mapStrings(value, (s) =>
        compiled.reduce((acc, p) => acc.replace(p.regex, (m) => tokenFor(p.name, m)), s)
      ),
    untokenize: (value) => mapStrings(value, (s) => s.replace(tokenRegex, (t) => byToken.get(t) ?? t)),
    size: () => byToken.size
  }
}
