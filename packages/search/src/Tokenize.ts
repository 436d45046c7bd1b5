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
  for (const match of text.matchAll(word)) for (const part of match[0].split(camel)) out.push(part)
  return out
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
