/**
 * The tokenizer behind every token figure: gpt-tokenizer's o200k_base. It is an optional peer
 * dependency (its tables are megabytes, and most uses never count a token). Without it, counts are
 * ESTIMATES (one token per 4 characters) and every note printed beside a figure says so, with the
 * install command; nothing fails, so a gateway or CLI that counts as it goes keeps working.
 * Measured ratio: o200k_base gives 4.5 characters a token on the 339 tool definitions of
 * apps/demo/fixtures/catalogs and 3.7 on TypeScript and Markdown; `length / 4` is within 15% on
 * average of the exact count there (worst case 51%, on short texts).
 */
import { createRequire } from "node:module"

export const peer = {
  name: "gpt-tokenizer",
  install: "npm install gpt-tokenizer@^4.0.0",
  feature: "exact token counts (o200k_base)"
} as const

/** How a figure was counted. */
export type Kind = "o200k_base" | "estimate"

/** Characters per token of the estimate. */
export const charsPerToken = 4

type Encoding = typeof import("gpt-tokenizer/encoding/o200k_base")

const require = createRequire(import.meta.url)
const entry = `${peer.name}/encoding/o200k_base`

const notFound = (error: unknown) => {
  const e = error as { code?: unknown; message?: unknown } | undefined
  return (
    (e?.code === "MODULE_NOT_FOUND" || e?.code === "ERR_MODULE_NOT_FOUND") &&
    String(e.message).includes(`'${peer.name}`)
  )
}

// Loaded on the first count, not on import: a CLI start or an execution that counts nothing never
// pays for the tables. `null`: looked for, not installed.
let encoding: Encoding | null | undefined
const load = (): Encoding | null => {
  if (encoding === undefined) {
    try {
      encoding = require(entry) as Encoding
    } catch (error) {
      if (!notFound(error)) throw error
      encoding = null
    }
  }
  return encoding
}

/** The estimate used when gpt-tokenizer is not installed. */
export const estimate = (text: string): number => Math.ceil(text.length / charsPerToken)

/** Tokens in a text. Special-token markers in data are counted as plain text, never rejected. */
export const count = (text: string): number => {
  const e = load()
  return e === null ? estimate(text) : e.countTokens(text, { disallowedSpecial: new Set() })
}

/** Whether counts are exact, found without loading the tables (resolving reads package.json only). */
export const kind = (): Kind => {
  if (encoding !== undefined) return encoding === null ? "estimate" : "o200k_base"
  try {
    require.resolve(entry)
    return "o200k_base"
  } catch (error) {
    if (!notFound(error)) throw error
    return "estimate"
  }
}

/** Say this wherever a figure is shown. */
export const note = (): string =>
  kind() === "o200k_base"
    ? "Tokens counted with gpt-tokenizer (o200k_base)."
    : `Tokens ESTIMATED at ${charsPerToken} characters a token: gpt-tokenizer is not installed (\`${peer.install}\` for exact o200k_base counts).`
