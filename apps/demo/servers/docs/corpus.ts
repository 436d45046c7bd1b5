// The docs server's corpus: real markdown found on disk, in a deterministic order.
//   repo:<path>            this repo's README.md, docs/**/*.md, packages/*/README.md, apps/*/README.md
//   npm:<name>             the README.md of each package installed under node_modules/.pnpm
//   npm:effect/ai-docs/... Effect's own guides (the library this repo builds on)
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

export interface Section {
  readonly heading: string // "" for text before the first heading
  readonly level: number // 0 for that preamble
  readonly start: number // line index of the heading
  readonly end: number // line index after the section, subsections included
  readonly bodyEnd: number // line index of the next heading of any level
}

export interface Doc {
  readonly id: string
  readonly path: string // absolute
  readonly source: "repo" | "npm"
  readonly package?: string
  readonly version?: string
  readonly title: string
  readonly markdown: string
  readonly lines: ReadonlyArray<string>
  readonly sections: ReadonlyArray<Section>
}

export interface CorpusOptions {
  readonly root: string
  readonly maxPackages?: number // cap on npm READMEs
  readonly maxBytes?: number // per file; longer files are cut (and say so)
}

const MAX_PACKAGES = 300
const MAX_BYTES = 200_000

const isFile = (p: string) => {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}
const list = (dir: string): Array<string> => {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}
// Installed packages and generated files are not the repo's docs (docs/ is a workspace package now,
// with its own node_modules and the snippets the docs check writes).
const skipped = new Set(["node_modules", ".snippets"])
const mdFilesUnder = (dir: string): Array<string> =>
  list(dir).flatMap((name) => {
    if (skipped.has(name)) return []
    const p = join(dir, name)
    try {
      if (statSync(p).isDirectory()) return mdFilesUnder(p)
    } catch {
      return []
    }
    return name.toLowerCase().endsWith(".md") ? [p] : []
  })

export const parseSections = (lines: ReadonlyArray<string>): Array<Section> => {
  const heads: Array<{ heading: string; level: number; start: number }> = []
  let fence: string | undefined
  lines.forEach((line, i) => {
    const f = /^\s{0,3}(```|~~~)/.exec(line)
    if (f?.[1]) {
      if (fence === undefined) fence = f[1]
      else if (fence === f[1]) fence = undefined
      return
    }
    if (fence !== undefined) return
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (h?.[1] && h[2] !== undefined) heads.push({ heading: h[2], level: h[1].length, start: i })
  })
  const sections: Array<Section> = []
  const firstHead = heads[0]?.start ?? lines.length
  if (firstHead > 0) sections.push({ heading: "", level: 0, start: 0, end: firstHead, bodyEnd: firstHead })
  heads.forEach((h, k) => {
    const next = heads.slice(k + 1).find((o) => o.level <= h.level)
    sections.push({
      heading: h.heading,
      level: h.level,
      start: h.start,
      end: next?.start ?? lines.length,
      bodyEnd: heads[k + 1]?.start ?? lines.length
    })
  })
  return sections
}

const plainHeading = (s: string) =>
  s
    .replace(/<[^>]+>/g, "")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*_]/g, "")
    .trim()

const makeDoc = (
  id: string,
  path: string,
  source: Doc["source"],
  maxBytes: number,
  fallbackTitle: string,
  pkg?: { name: string; version: string }
): Doc | undefined => {
  let markdown: string
  try {
    markdown = readFileSync(path, "utf8")
  } catch {
    return undefined
  }
  if (markdown.trim().length === 0) return undefined
  if (markdown.length > maxBytes) {
    markdown = `${markdown.slice(0, maxBytes)}\n\n[… cut at ${maxBytes} characters by the docs server]\n`
  }
  const lines = markdown.split(/\r?\n/)
  const sections = parseSections(lines)
  const h1 = sections.find((s) => s.level === 1)
  const title = (h1 && plainHeading(h1.heading)) || fallbackTitle
  return {
    id,
    path,
    source,
    title,
    markdown,
    lines,
    sections,
    ...(pkg ? { package: pkg.name, version: pkg.version } : {})
  }
}

// Each .pnpm entry holds its own package as a real directory beside symlinks to its deps.
const installedPackages = (root: string): Array<{ name: string; version: string; dir: string }> => {
  const store = join(root, "node_modules", ".pnpm")
  const found = new Map<string, { name: string; version: string; dir: string }>()
  for (const entry of list(store)) {
    const nm = join(store, entry, "node_modules")
    const candidates = list(nm).flatMap((n) =>
      n.startsWith("@")
        ? list(join(nm, n)).map((m) => join(nm, n, m))
        : n.startsWith(".")
          ? []
          : [join(nm, n)]
    )
    for (const dir of candidates) {
      try {
        if (lstatSync(dir).isSymbolicLink()) continue
        const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          name?: string
          version?: string
        }
        if (!pj.name || !pj.version || found.has(pj.name)) continue
        found.set(pj.name, { name: pj.name, version: pj.version, dir })
      } catch {
        // not a package directory
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name))
}

export const loadCorpus = (opts: CorpusOptions): Array<Doc> => {
  const { root } = opts
  const maxBytes = opts.maxBytes ?? MAX_BYTES
  const docs: Array<Doc> = []
  const push = (d: Doc | undefined) => {
    if (d) docs.push(d)
  }
  const repoFiles = [
    join(root, "README.md"),
    ...mdFilesUnder(join(root, "docs")),
    ...list(join(root, "packages")).map((p) => join(root, "packages", p, "README.md")),
    ...list(join(root, "apps")).map((p) => join(root, "apps", p, "README.md"))
  ].filter(isFile)
  for (const p of repoFiles) {
    const rel = relative(root, p)
    push(makeDoc(`repo:${rel}`, p, "repo", maxBytes, rel))
  }
  const packages = installedPackages(root)
  const effect = packages.find((p) => p.name === "effect")
  if (effect) {
    for (const p of mdFilesUnder(join(effect.dir, "ai-docs"))) {
      const rel = relative(effect.dir, p)
      push(makeDoc(`npm:effect/${rel}`, p, "npm", maxBytes, `effect ${rel}`, effect))
    }
  }
  let taken = 0
  for (const pkg of packages) {
    if (taken >= (opts.maxPackages ?? MAX_PACKAGES)) break
    const readme = list(pkg.dir).find((n) => n.toLowerCase() === "readme.md")
    if (!readme) continue
    const doc = makeDoc(`npm:${pkg.name}`, join(pkg.dir, readme), "npm", maxBytes, pkg.name, pkg)
    if (doc) {
      docs.push(doc)
      taken++
    }
  }
  return docs
}

/** The text of one section: its heading line and body, subsections included. */
export const sectionText = (doc: Doc, s: Section): string => doc.lines.slice(s.start, s.end).join("\n")
