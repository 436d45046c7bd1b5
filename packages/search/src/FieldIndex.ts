/**
 * A ranked full-text index for short documents with weighted fields (tools: name, title, server,
 * parameters, description): BM25F over stemmed terms, with each query term widened to its
 * synonyms (the hand-kept table, then WordNet's at a lower weight), then to longer terms it is a prefix of, and only when nothing matches, to terms one or
 * two edits away. Built for thousands of documents: postings are plain arrays, a search touches
 * only the documents that share a term with the query, and the vocabulary is a sorted array, so
 * prefixes are a binary search rather than a scan.
 */
import { stemmer } from "stemmer"
import * as DerivedSynonyms from "./DerivedSynonyms.ts"
import * as Synonyms from "./Synonyms.ts"
import { terms } from "./Tokenize.ts"

export interface Options<F extends string> {
  /** Each field's weight: a term in a field of weight 3 counts three times one in a field of weight 1. */
  readonly fields: Readonly<Record<F, number>>
  /** Weight of a synonym of a query term, relative to the term itself (default 0.6). */
  readonly synonymWeight?: number
  /**
   * Weight of a synonym derived from WordNet (DerivedSynonyms.ts), below the hand-kept table's: a
   * thesaurus knows more words but not which senses tool APIs mean (default 0.4).
   */
  readonly derivedWeight?: number
  /** Weight of a longer term a query term is a prefix of (default 0.5). */
  readonly prefixWeight?: number
  /** Weight of a term within one or two edits of a query term that matched nothing (default 0.4). */
  readonly fuzzyWeight?: number
  /**
   * The field that names a document, if any. A document whose name the query covers whole ranks
   * above one that shares the same words but names something more (`create_pull_request` above
   * `create_pull_request_review` for "create pull request"): its score grows by `coverageWeight`
   * (default 1) times the share of its name's terms the query stands for (a synonym counting at its weight).
   */
  readonly nameField?: F | undefined
  readonly coverageWeight?: number
}

export interface Hit {
  readonly id: number
  readonly score: number
}

const k1 = 1.2
const b = 0.75

// Stemming is the costliest step per token; tool vocabularies repeat, so each word is stemmed once.
const stems = new Map<string, string>()
/** The stem of a lower-cased word (`screenshots` → `screenshot`, `listing` → `list`). */
export const stem = (word: string): string => {
  let s = stems.get(word)
  if (s === undefined) {
    s = word.length > 3 && !/\d/.test(word) ? stemmer(word) : word
    stems.set(word, s)
  }
  return s
}

let synonymTable: Map<string, ReadonlyArray<string>> | undefined
/** Stemmed synonyms of a stemmed term (the term itself excluded). */
export const synonymsOf = (term: string): ReadonlyArray<string> => {
  if (synonymTable === undefined) {
    const table = new Map<string, Set<string>>()
    for (const group of Synonyms.groups) {
      const stemmed = group.map((w) => stem(w))
      for (const s of stemmed) {
        const set = table.get(s) ?? new Set<string>()
        for (const other of stemmed) if (other !== s) set.add(other)
        table.set(s, set)
      }
    }
    synonymTable = new Map([...table].map(([k, v]) => [k, [...v]]))
  }
  return synonymTable.get(term) ?? []
}

let derivedTable: Map<string, ReadonlyArray<string>> | undefined
/** Stemmed synonyms of a stemmed term that WordNet gives and real tools use (DerivedSynonyms.ts). */
export const derivedOf = (term: string): ReadonlyArray<string> => {
  derivedTable ??= new Map(
    DerivedSynonyms.data.split(" ").map((entry) => {
      const [word, synonyms] = entry.split(":") as [string, string]
      return [word, synonyms.split(",")]
    })
  )
  return derivedTable.get(term) ?? []
}

/** Levenshtein distance, giving up (returning max + 1) once it must exceed `max`. */
const within = (a: string, c: string, max: number): boolean => {
  if (Math.abs(a.length - c.length) > max) return false
  let prev = Array.from({ length: c.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= c.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === c[j - 1] ? 0 : 1))
      row.push(v)
      if (v < best) best = v
    }
    if (best > max) return false
    prev = row
  }
  return prev[c.length]! <= max
}

interface Posting {
  /** Documents holding the term, ascending. */
  readonly docs: Array<number>
  /** Per document: the field-weighted, length-normalised term frequency (BM25F's tf). */
  readonly tf: Array<number>
}

export class FieldIndex<F extends string> {
  readonly #fields: ReadonlyArray<F>
  readonly #weights: ReadonlyArray<number>
  readonly #options: Required<Omit<Options<F>, "fields" | "nameField">>
  readonly #nameField: number
  /** Per document: the distinct terms of its name field. */
  #names: Array<ReadonlyArray<string>> = []
  readonly #pending: Array<{ readonly id: number; readonly fields: ReadonlyArray<ReadonlyArray<string>> }> =
    []
  #postings = new Map<string, Posting>()
  #vocabulary: Array<string> = []
  #size = 0
  #scores = new Float64Array(0)
  /** Per document, the best score of the query word being scored (reset after each word). */
  #best = new Float64Array(0)
  #built = true

  constructor(options: Options<F>) {
    this.#fields = Object.keys(options.fields) as Array<F>
    this.#weights = this.#fields.map((f) => options.fields[f])
    this.#options = {
      synonymWeight: options.synonymWeight ?? 0.6,
      derivedWeight: options.derivedWeight ?? 0.4,
      prefixWeight: options.prefixWeight ?? 0.5,
      fuzzyWeight: options.fuzzyWeight ?? 0.4,
      coverageWeight: options.coverageWeight ?? 1
    }
    this.#nameField = options.nameField === undefined ? -1 : this.#fields.indexOf(options.nameField)
  }

  get size(): number {
    return this.#size + this.#pending.length
  }

  /** Adds a document under a dense id (0, 1, 2, …); the index is built on the next search. */
  add(id: number, doc: Readonly<Record<F, string>>): void {
    this.#pending.push({ id, fields: this.#fields.map((f) => terms(doc[f] ?? "").map(stem)) })
    this.#built = false
  }

  /**
   * Computes the postings of the documents added since the last build (BM25F needs every field's
   * average length, so they wait until all are in). `search` builds on demand; call it to pay
   * the cost up front.
   */
  build(): void {
    if (this.#built) return
    const all = this.#pending.splice(0)
    // Field lengths are averaged over this batch (an index is built from its whole catalog at once).
    const averages = this.#fields.map(
      (_, f) => all.reduce((sum, d) => sum + d.fields[f]!.length, 0) / Math.max(1, all.length) || 1
    )
    const postings = this.#postings
    // One map reused for every document: indexing thousands of tools is mostly allocation otherwise.
    const tf = new Map<string, number>()
    for (const doc of all) {
      tf.clear()
      for (let f = 0; f < doc.fields.length; f++) {
        const words = doc.fields[f]!
        const norm = this.#weights[f]! / (1 - b + (b * words.length) / averages[f]!)
        for (const w of words) tf.set(w, (tf.get(w) ?? 0) + norm)
      }
      for (const [term, value] of tf) {
        let p = postings.get(term)
        if (p === undefined) {
          p = { docs: [], tf: [] }
          postings.set(term, p)
        }
        p.docs.push(doc.id)
        p.tf.push(value)
      }
      if (doc.id + 1 > this.#size) this.#size = doc.id + 1
      if (this.#nameField >= 0) this.#names[doc.id] = [...new Set(doc.fields[this.#nameField])]
    }
    this.#vocabulary = [...postings.keys()].sort()
    this.#scores = new Float64Array(this.#size)
    this.#best = new Float64Array(this.#size)
    this.#built = true
  }

  /** Terms of the vocabulary that start with `prefix` (and are longer), at most `max`. */
  #prefixed(prefix: string, max: number): Array<string> {
    const v = this.#vocabulary
    let lo = 0
    let hi = v.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (v[mid]! < prefix) lo = mid + 1
      else hi = mid
    }
    const out: Array<string> = []
    for (let i = lo; i < v.length && out.length < max && v[i]!.startsWith(prefix); i++)
      if (v[i] !== prefix) out.push(v[i]!)
    return out
  }

  /** The terms a query word stands for, each with its weight. */
  #expand(word: string): Map<string, number> {
    const out = new Map<string, number>()
    const put = (term: string, weight: number) => {
      if (this.#postings.has(term) && (out.get(term) ?? 0) < weight) out.set(term, weight)
    }
    const term = stem(word)
    put(term, 1)
    if (word !== term) put(word, 1)
    for (const s of synonymsOf(term)) put(s, this.#options.synonymWeight)
    for (const s of derivedOf(term)) put(s, this.#options.derivedWeight)
    if (word.length >= 3) for (const p of this.#prefixed(word, 16)) put(p, this.#options.prefixWeight)
    if (out.size === 0 && word.length >= 4) {
      const max = word.length >= 8 ? 2 : 1
      for (const v of this.#vocabulary) if (within(word, v, max)) put(v, this.#options.fuzzyWeight)
    }
    return out
  }

  /** Documents ranked for a query, best first; ties keep id order. */
  search(query: string, limit = 10): Array<Hit> {
    this.build()
    const n = this.#size
    const scores = this.#scores
    const best = this.#best
    const touched: Array<number> = []
    const covered = new Map<string, number>()
    const words = [...new Set(terms(query))]
    const perWord: Array<Map<string, number>> = []
    for (const word of words) {
      // A document scores once per query word: by the best of the terms the word stands for.
      const reached: Array<number> = []
      const expanded = this.#expand(word)
      perWord.push(expanded)
      for (const [term, weight] of expanded) {
        if ((covered.get(term) ?? 0) < weight) covered.set(term, weight)
        const p = this.#postings.get(term)!
        const idf = weight * Math.log(1 + (n - p.docs.length + 0.5) / (p.docs.length + 0.5))
        for (let i = 0; i < p.docs.length; i++) {
          const tf = p.tf[i]!
          const s = (idf * tf) / (k1 + tf)
          const doc = p.docs[i]!
          const was = best[doc]!
          if (was === 0) reached.push(doc)
          if (s > was) best[doc] = s
        }
      }
      for (const doc of reached) {
        if (scores[doc] === 0) touched.push(doc)
        scores[doc]! += best[doc]!
        best[doc] = 0
      }
    }
    const coverage = this.#options.coverageWeight
    const top = new TopK(limit)
    for (const id of touched) {
      const name = this.#nameField >= 0 ? this.#names[id] : undefined
      let score = scores[id]!
      scores[id] = 0
      if (name !== undefined && name.length > 0) {
        // How much of the name the query stands for, and how much of the query the name answers.
        let named = 0
        for (const t of name) named += covered.get(t) ?? 0
        let answered = 0
        for (const expanded of perWord) {
          let best = 0
          for (const t of name) best = Math.max(best, expanded.get(t) ?? 0)
          answered += best
        }
        score *= 1 + (coverage * (named / name.length + answered / perWord.length)) / 2
      }
      top.offer(id, score)
    }
    return top.sorted()
  }
}

/** Keeps the best `k` hits seen (ties to the lower id) without sorting everything offered. */
class TopK {
  readonly #k: number
  readonly #hits: Array<Hit> = []
  constructor(k: number) {
    this.#k = Math.max(0, k)
  }
  static #before(a: Hit, b: Hit): boolean {
    return a.score > b.score || (a.score === b.score && a.id < b.id)
  }
  offer(id: number, score: number): void {
    const hits = this.#hits
    if (hits.length === this.#k) {
      const last = hits[hits.length - 1]
      if (last === undefined || !TopK.#before({ id, score }, last)) return
      hits.pop()
    }
    // k is small (a page of results): insertion keeps the list ordered.
    let i = hits.length
    while (i > 0 && TopK.#before({ id, score }, hits[i - 1]!)) i--
    hits.splice(i, 0, { id, score })
  }
  sorted(): Array<Hit> {
    return this.#hits
  }
}

/** A new, empty index over the given weighted fields. */
export const make = <F extends string>(options: Options<F>): FieldIndex<F> => new FieldIndex(options)
