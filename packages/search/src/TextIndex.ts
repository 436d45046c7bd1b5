/**
 * A small full-text index: MiniSearch (BM25) with the project's tokenizer, prefix matching for
 * words of 3+ letters, typo tolerance growing with word length, per-field boosts, and results in
 * a stable order (score, then id). Documents can be added, replaced and removed one at a time, so
 * an index can be kept warm and follow changes instead of being rebuilt.
 */
import MiniSearch, { type Options as MiniSearchOptions, type SearchOptions } from "minisearch"
import { processTerm, tokenize } from "./Tokenize.ts"

export type Id = string | number

/** A document: an id and the text fields to index. */
export type Document<F extends string> = { readonly id: Id } & { readonly [K in F]: string }

export interface Hit {
  readonly id: Id
  readonly score: number
}

/** Query-time behaviour shared by every index (boosts vary per index). */
export const queryOptions = (boost: Readonly<Record<string, number>> = {}): SearchOptions => ({
  boost: { ...boost },
  prefix: (term) => term.length >= 3,
  fuzzy: (term) => (term.length >= 8 ? 2 : term.length >= 4 ? 1 : false),
  combineWith: "OR"
})

/**
 * Options for a MiniSearch of your own that should behave like every TextIndex:
 * `new MiniSearch({ ...miniSearchOptions(boost), fields })`.
 */
export const miniSearchOptions = (
  boost: Readonly<Record<string, number>> = {}
): Pick<MiniSearchOptions, "tokenize" | "processTerm" | "searchOptions"> => ({
  tokenize,
  processTerm,
  searchOptions: queryOptions(boost)
})

const byScoreThenId = (a: Hit, b: Hit): number =>
  b.score - a.score ||
  (typeof a.id === "number" && typeof b.id === "number" ? a.id - b.id : String(a.id) < String(b.id) ? -1 : 1)

export class TextIndex<F extends string> {
  /** The MiniSearch underneath, for what this class does not cover. */
  readonly engine: MiniSearch<Document<F>>

  /** `fields` are indexed; `boost` weighs a match in one field against the others (default 1). */
  constructor(options: { readonly fields: ReadonlyArray<F>; readonly boost?: Partial<Record<F, number>> }) {
    this.engine = new MiniSearch<Document<F>>({
      ...miniSearchOptions(options.boost as Record<string, number> | undefined),
      fields: [...options.fields],
      storeFields: []
    })
  }

  get size(): number {
    return this.engine.documentCount
  }

  has(id: Id): boolean {
    return this.engine.has(id)
  }

  addAll(docs: ReadonlyArray<Document<F>>): void {
    this.engine.addAll(docs as Array<Document<F>>)
  }

  /** Adds the document, or replaces the one with its id. */
  set(doc: Document<F>): void {
    if (this.engine.has(doc.id)) this.engine.replace(doc)
    else this.engine.add(doc)
  }

  /** Removes the document with `id`, if there is one. */
  delete(id: Id): void {
    if (this.engine.has(id)) this.engine.discard(id)
  }

  /** Ranked hits, best first; equal scores in id order, so results are stable. */
  search(query: string, options: { readonly limit?: number | undefined } = {}): Array<Hit> {
    // MiniSearch returns hits by score already: only the first `limit` (and any hits tied with
    // the last of them) are taken, then ordered by score and id, so a query matching thousands
    // of documents costs no more than MiniSearch itself.
    const found = this.engine.search(query)
    let end = Math.min(found.length, options.limit ?? found.length)
    const last = found[end - 1]
    while (last !== undefined && end < found.length && found[end]?.score === last.score) end++
    const hits: Array<Hit> = new Array(end)
    for (let i = 0; i < end; i++) {
      const h = found[i]!
      hits[i] = { id: h.id as Id, score: h.score }
    }
    hits.sort(byScoreThenId)
    return options.limit === undefined ? hits : hits.slice(0, options.limit)
  }
}

/** A new empty index over `fields`. */
export const make = <F extends string>(options: {
  readonly fields: ReadonlyArray<F>
  readonly boost?: Partial<Record<F, number>>
}): TextIndex<F> => new TextIndex(options)
