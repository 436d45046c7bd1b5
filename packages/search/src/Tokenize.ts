/**
 * How text becomes search terms, shared by every index in the project (tool search in codegen,
 * skill search in skills) so that a query finds tools and skills the same way.
 */

/** Words too common to rank by; dropped from documents and queries alike. */
export const stopWords: ReadonlySet<string> = new Set(
  "a an and are as at be by for from in into is it of on or the this that to with".split(" ")
)

const word = /[\p{L}\p{N}]+/gu
const camel = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u

/**
 * Words of a text: runs of letters/digits (any script), split again at camelCase boundaries, so
 * `listDirectory`, `list_directory` and `list-directory` all give `list`, `Directory`.
 */
export const tokenize = (text: string): Array<string> => {
  const out: Array<string> = []
  if (isAscii(text)) tokenizeAscii(text, out)
  else for (const match of text.matchAll(word)) for (const part of match[0].split(camel)) out.push(part)
  return out
}

// Any character outside ASCII sends a text down the Unicode path.
const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}
const LOWER = 1
const UPPER = 2
const DIGIT = 3
const kindOf = (c: number) =>
  c >= 97 && c <= 122 ? LOWER : c >= 65 && c <= 90 ? UPPER : c >= 48 && c <= 57 ? DIGIT : 0

// The same words as the regular expressions above, for ASCII text (almost every tool description),
// in one pass over char codes: indexing thousands of tools spends most of its time here.
const tokenizeAscii = (text: string, out: Array<string>): void => {
  let start = -1
  let prev = 0
  for (let i = 0; i <= text.length; i++) {
    const kind = i < text.length ? kindOf(text.charCodeAt(i)) : 0
    if (kind === 0) {
      if (start >= 0) out.push(text.slice(start, i))
      start = -1
    } else if (start < 0) start = i
    else if (
      kind === UPPER &&
      (prev === LOWER || prev === DIGIT || (prev === UPPER && kindOf(text.charCodeAt(i + 1)) === LOWER))
    ) {
      out.push(text.slice(start, i))
      start = i
    }
    prev = kind
  }
}

/** Lower-cases a term; `null` drops it (a stop word). */
export const processTerm = (term: string): string | null => {
  const t = term.toLowerCase()
  return stopWords.has(t) ? null : t
}

/** The terms of a text as an index sees them: tokenized, lower-cased, stop words dropped. */
export const terms = (text: string): Array<string> => {
  const out: Array<string> = []
  for (const t of tokenize(text)) {
    const p = processTerm(t)
    if (p !== null) out.push(p)
  }
  return out
}
