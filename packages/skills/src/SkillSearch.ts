/**
 * Ranked skill search with MiniSearch (BM25 with prefix and fuzzy matching), tuned like
 * @tta/codegen's tool search so that tools and skills are found the same way (the options are
 * mirrored rather than imported: skills depends on effect only).
 */
import MiniSearch, { type SearchOptions } from "minisearch"

const stopWords = new Set(
  "a an and are as at be by for from in into is it of on or the this that to with".split(" ")
)

/** Words of a text: runs of letters/digits, split again at camelCase boundaries. */
export const tokenize = (text: string): Array<string> => {
  const out: Array<string> = []
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu))
    for (const part of match[0].split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u))
      out.push(part)
  return out
}

export const processTerm = (term: string): string | null => {
  const t = term.toLowerCase()
  return stopWords.has(t) ? null : t
}

export const searchOptions: SearchOptions = {
  boost: { name: 3, tags: 2, description: 1 },
  prefix: (term) => term.length >= 3,
  fuzzy: (term) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
  combineWith: "OR"
}

export interface Entry {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly tags: string
}

export const entry = (name: string, description: string, tags: ReadonlyArray<string>): Entry => ({
  id: name,
  name,
  description,
  tags: tags.join(" ")
})

export const makeIndex = (): MiniSearch<Entry> =>
  new MiniSearch<Entry>({
    fields: ["name", "description", "tags"],
    storeFields: [],
    tokenize,
    processTerm,
    searchOptions
  })
