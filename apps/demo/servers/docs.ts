// MCP server standing in for Context7: ranked full-text search and fetch over real markdown
// (this repo's docs and READMEs, and the READMEs of installed npm packages; see docs/corpus.ts).
// Run: node apps/demo/servers/docs.ts   (DOCS_ROOT overrides the repo root it reads)
import { isAbsolute, join, relative } from "node:path"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import MiniSearch from "minisearch"
import * as z from "zod"
import { type Doc, loadCorpus, sectionText } from "./docs/corpus.ts"

const root = process.env.DOCS_ROOT ?? join(import.meta.dirname, "..", "..", "..")
const docs = loadCorpus({ root })
const byId = new Map(docs.map((d) => [d.id, d]))

// Sections are the unit of search, so a hit points at the part of a long README that answers.
interface Chunk {
  readonly key: string
  readonly docId: string
  readonly title: string
  readonly heading: string
  readonly text: string
}
const chunks: Array<Chunk> = docs.flatMap((d) =>
  d.sections.map((s, k) => ({
    key: `${d.id}#${k}`,
    docId: d.id,
    title: d.title,
    heading: s.heading,
    text: d.lines.slice(s.level === 0 ? s.start : s.start + 1, s.bodyEnd).join("\n")
  }))
)
// Without these, "with" or "how to" outrank the words that carry the question.
const STOP_WORDS = new Set(
  "a an and are as at be but by can do does for from how i in into is it its of on or so that the this to was what when where which who why will with you your".split(
    " "
  )
)
const index = new MiniSearch<Chunk>({
  idField: "key",
  processTerm: (term) => {
    const t = term.toLowerCase()
    return STOP_WORDS.has(t) ? null : t
  },
  fields: ["title", "heading", "text", "docId"],
  storeFields: ["docId", "title", "heading"],
  searchOptions: {
    boost: { title: 3, heading: 2, docId: 2 },
    prefix: (_term, i, terms) => i === terms.length - 1,
    fuzzy: (term) => (term.length > 5 ? 0.15 : false)
  }
})
index.addAll(chunks)
const chunkByKey = new Map(chunks.map((c) => [c.key, c]))

const snippet = (text: string, terms: ReadonlyArray<string>): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  const lower = flat.toLowerCase()
  const at = terms.map((t) => lower.indexOf(t.toLowerCase())).find((i) => i >= 0) ?? 0
  const from = Math.max(0, at - 80)
  return `${from > 0 ? "…" : ""}${flat.slice(from, from + 240)}${from + 240 < flat.length ? "…" : ""}`
}

const norm = (s: string) =>
  s
    .replace(/<[^>]+>/g, "")
    .replace(/[`*_[\]()]/g, "")
    .trim()
    .toLowerCase()

const findDoc = (idOrPath: string): Doc => {
  const direct = byId.get(idOrPath)
  if (direct) return direct
  const abs = isAbsolute(idOrPath) ? idOrPath : join(root, idOrPath)
  const byPath = docs.find((d) => d.path === abs || relative(root, d.path) === idOrPath)
  if (byPath) return byPath
  const near = index
    .search(idOrPath.replace(/^(npm|repo):/, "").replace(/[/@:._-]+/g, " "))
    .slice(0, 3)
    .map((r) => chunkByKey.get(r.id)!.docId)
  throw new Error(
    `fetch_doc: no document with id or path ${JSON.stringify(idOrPath)}` +
      (near.length ? `; did you mean ${[...new Set(near)].map((n) => JSON.stringify(n)).join(", ")}?` : "")
  )
}

const docMeta = (d: Doc) => ({
  id: d.id,
  title: d.title,
  source: d.source,
  ...(d.package ? { package: d.package } : {}),
  ...(d.version ? { version: d.version } : {})
})

const reply = <T extends Record<string, unknown>>(value: T) => ({
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value
})

const server = new McpServer({ name: "docs", version: "0.1.0" })
const readOnly = { readOnlyHint: true, openWorldHint: false, idempotentHint: true } as const

server.registerTool(
  "search_docs",
  {
    title: "Search documentation",
    description:
      `Ranked full-text search (BM25, prefix on the last word, light fuzziness) over ${docs.length} markdown ` +
      "documents: this repository's README and docs, Effect's guides, and the READMEs of installed npm packages. " +
      "Each hit is one section; pass its id (and section) to fetch_doc.",
    inputSchema: {
      query: z.string().min(1).describe("Words to search for, e.g. 'retry schedule exponential'"),
      limit: z.number().int().min(1).max(50).optional().describe("Maximum hits (default 5)"),
      source: z.enum(["repo", "npm"]).optional().describe("Only this repo's docs, or only npm packages")
    },
    outputSchema: {
      query: z.string(),
      total: z.number().describe("Matching sections before the limit"),
      results: z.array(
        z.object({
          id: z.string().describe("Document id for fetch_doc"),
          title: z.string(),
          section: z.string().describe("Heading of the matching section ('' for the preamble)"),
          source: z.enum(["repo", "npm"]),
          package: z.string().optional(),
          version: z.string().optional(),
          score: z.number(),
          snippet: z.string()
        })
      )
    },
    annotations: readOnly
  },
  async ({ query, limit, source }) => {
    const hits = index.search(
      query,
      source ? { filter: (r) => byId.get(r.docId as string)?.source === source } : {}
    )
    const results = hits.slice(0, limit ?? 5).map((h) => {
      const c = chunkByKey.get(h.id)!
      return {
        ...docMeta(byId.get(c.docId)!),
        section: c.heading,
        score: Math.round(h.score * 1000) / 1000,
        snippet: snippet(c.text || c.heading, h.terms)
      }
    })
    return reply({ query, total: hits.length, results })
  }
)

server.registerTool(
  "fetch_doc",
  {
    title: "Fetch a document",
    description:
      "Return the markdown of a document by id (from search_docs, e.g. 'npm:minisearch' or 'repo:README.md') " +
      "or by its path. With `section`, only that heading's section (subsections included).",
    inputSchema: {
      id: z.string().describe("Document id, or its path (relative to the repo root, or absolute)"),
      section: z.string().optional().describe("Heading text of the section to return (case-insensitive)"),
      maxChars: z.number().int().min(100).optional().describe("Cut the markdown after this many characters")
    },
    outputSchema: {
      id: z.string(),
      title: z.string(),
      source: z.enum(["repo", "npm"]),
      package: z.string().optional(),
      version: z.string().optional(),
      section: z.string().optional(),
      sections: z.array(z.string()).describe("Headings of the document, in order"),
      markdown: z.string(),
      truncated: z.boolean()
    },
    annotations: readOnly
  },
  async ({ id, section, maxChars }) => {
    const doc = findDoc(id)
    const headings = doc.sections.filter((s) => s.level > 0)
    let markdown = doc.markdown
    let found: string | undefined
    if (section !== undefined) {
      const want = norm(section)
      const s =
        headings.find((h) => norm(h.heading) === want) ?? headings.find((h) => norm(h.heading).includes(want))
      if (!s) {
        const names = headings.slice(0, 25).map((h) => JSON.stringify(h.heading))
        throw new Error(
          `fetch_doc: ${doc.id} has no section ${JSON.stringify(section)}; its sections are ${names.join(", ")}` +
            (headings.length > 25 ? `, … (${headings.length} in all)` : "")
        )
      }
      markdown = sectionText(doc, s)
      found = s.heading
    }
    const truncated = maxChars !== undefined && markdown.length > maxChars
    return reply({
      ...docMeta(doc),
      ...(found !== undefined ? { section: found } : {}),
      sections: headings.map((h) => h.heading),
      markdown: truncated ? markdown.slice(0, maxChars) : markdown,
      truncated
    })
  }
)

await server.connect(new StdioServerTransport())
