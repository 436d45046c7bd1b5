// Agent code: find the runbook section for a kind of incident in the docs and keep a short excerpt.
import { fetchDoc, searchDocs } from "./servers/docs/index.ts"

const input = __INPUT__ as { query: string }
const found = await searchDocs({ query: input.query, limit: 3, source: "repo" })
const top = found.results[0]
if (!top) throw new Error(`no documentation matches "${input.query}"`)
const doc = await fetchDoc({ id: top.id, ...(top.section ? { section: top.section } : {}), maxChars: 6000 })
const terms = input.query.toLowerCase().split(/\s+/)
const lines = doc.markdown.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
const relevant = lines.filter((l) => terms.some((t) => l.toLowerCase().includes(t))).slice(0, 4)
export default {
  id: top.id,
  title: top.title,
  section: top.section,
  excerpt: (relevant.length > 0 ? relevant : lines.slice(0, 3)).join("\n").slice(0, 600)
}
