/**
 * `SKILL.md` in the Agent Skills format: YAML front matter (`name`, `description`, and tags under
 * `metadata.tags`, since the format keeps custom keys in `metadata`), then the usage notes a
 * person writes, then a generated block with the import line and the signature of the chosen
 * version. Regenerating keeps the notes and any front matter a person added (license, ...).
 */
import { Predicate } from "effect"
import * as YAML from "yaml"

export interface SkillDoc {
  readonly description: string
  readonly tags: ReadonlyArray<string>
  /** Free text between the title and the generated block. */
  readonly usage: string
  /** Front matter exactly as found, so regeneration keeps what a person added. */
  readonly frontMatter: string | undefined
  /** Why the file cannot be trusted (no front matter, YAML that does not parse, no description). */
  readonly problem?: string
}

const begin = "<!-- generated from the chosen version: edits inside this block are replaced -->"
const end = "<!-- end generated -->"

const splitFrontMatter = (text: string): { front: string | undefined; body: string } => {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text)
  return m ? { front: m[1] ?? "", body: text.slice(m[0].length) } : { front: undefined, body: text }
}

const tagList = (value: unknown): Array<string> => {
  if (Predicate.isString(value)) return value.split(/[\s,]+/).filter((t) => t.length > 0)
  if (Array.isArray(value)) return value.filter(Predicate.isString)
  return []
}

/**
 * Reads what can be read; what cannot (a person broke the YAML, or there is no description) is
 * named in `problem` rather than read as an empty description.
 */
export const parse = (name: string, text: string): SkillDoc => {
  const { front, body } = splitFrontMatter(text)
  let description = ""
  let tags: Array<string> = []
  let problem: string | undefined
  if (front === undefined) problem = "no front matter (a --- block with name and description)"
  else {
    try {
      const data: unknown = YAML.parse(front)
      if (Predicate.isObject(data) && !Array.isArray(data)) {
        const d = data as Record<string, unknown>
        if (Predicate.isString(d.description) && d.description.trim() !== "") description = d.description
        else problem = "the front matter has no description"
        const metadata = Predicate.isObject(d.metadata) ? (d.metadata as Record<string, unknown>) : {}
        tags = tagList(metadata.tags ?? d.tags)
      } else problem = "the front matter is not a YAML mapping"
    } catch (e) {
      problem = `the front matter is not valid YAML: ${((e as Error).message ?? String(e)).split("\n")[0]}`
    }
  }
  const start = body.indexOf(begin)
  const stop = body.indexOf(end)
  const notes = start >= 0 && stop > start ? body.slice(0, start) + body.slice(stop + end.length) : body
  const usage = notes
    .replace(/^\s*#[ \t]+(.*)\r?\n/, (line, title: string) => (title.trim() === name ? "" : line))
    .trim()
  return problem === undefined
    ? { description, tags, usage, frontMatter: front }
    : { description, tags, usage, frontMatter: front, problem }
}

const importLine = (name: string, signatures: ReadonlyArray<string>): string => {
  const named = new Set<string>()
  let hasDefault = false
  for (const s of signatures) {
    if (/^export\s+default\b/.test(s)) hasDefault = true
    const decl = /^export\s+(?:async\s+)?(?:function\*?|const|let|var)\s+([\w$]+)/.exec(s)
    if (decl?.[1]) named.add(decl[1])
    const list = /^export\s*\{([^}]*)\}/.exec(s)
    for (const part of list?.[1]?.split(",") ?? []) {
      const alias = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim()
      if (alias) named.add(alias)
    }
  }
  const local = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  const what = [hasDefault ? local : undefined, named.size > 0 ? `{ ${[...named].join(", ")} }` : undefined]
    .filter(Predicate.isNotUndefined)
    .join(", ")
  return `import ${what} from "./skills/${name}/index.ts"`
}

export interface RenderInput {
  readonly name: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly usage: string
  readonly version: number
  readonly signatures: ReadonlyArray<string>
  readonly previousFrontMatter?: string | undefined
}

export const render = (input: RenderInput): string => {
  let doc = new YAML.Document({})
  if (input.previousFrontMatter !== undefined) {
    const previous = YAML.parseDocument(input.previousFrontMatter)
    if (previous.errors.length === 0 && YAML.isMap(previous.contents)) doc = previous as unknown as typeof doc
  }
  doc.set("name", input.name)
  doc.set("description", input.description)
  if (input.tags.length > 0) doc.setIn(["metadata", "tags"], input.tags.join(", "))
  else if (doc.hasIn(["metadata", "tags"])) doc.deleteIn(["metadata", "tags"])
  const front = doc.toString({ lineWidth: 0 }).trimEnd()
  const usage = input.usage.trim()
  return [
    `---\n${front}\n---\n`,
    `# ${input.name}\n`,
    usage.length > 0 ? `${usage}\n` : undefined,
    begin,
    `## Signature (version ${input.version})\n`,
    "```ts",
    importLine(input.name, input.signatures),
    "",
    ...input.signatures,
    "```",
    end,
    ""
  ]
    .filter(Predicate.isNotUndefined)
    .join("\n")
}
