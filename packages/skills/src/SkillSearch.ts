/**
 * Ranked skill search with MiniSearch (BM25 with prefix and fuzzy matching), tuned like
 * @tta/codegen's tool search so that tools and skills are found the same way (the options are
 * mirrored rather than imported: skills depends on effect only).
 */
import { Clock, Effect, Semaphore } from "effect"
import MiniSearch, { type SearchOptions } from "minisearch"
import type { Disk } from "./Disk.ts"
import type * as SkillMd from "./SkillMd.ts"

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

/**
 * The search index of a store: it follows this process's saves at once and re-checks every
 * SKILL.md on disk (by file identity) at most every `rescanMs`, for edits by hand and other
 * processes' saves. `ranked` returns skill names, best first.
 */
export const make = (disk: Disk, rescanMs: number) => {
  const mini = makeIndex()
  let lastScan: number | undefined

  const indexSkill = Effect.fnUntraced(function* (name: string, doc: SkillMd.SkillDoc) {
    const e = entry(name, doc.description, doc.tags)
    if (mini.has(name)) mini.replace(e)
    else mini.add(e)
    disk.memoOf(name).searchKey = yield* disk.fileKey(disk.fileOf(name, "SKILL.md"))
  })

  const discard = (name: string) =>
    Effect.sync(() => {
      if (mini.has(name)) mini.discard(name)
    })

  const refreshing = Semaphore.makeUnsafe(1)
  // Re-indexes whatever SKILL.md changed on disk since the last search (by file identity).
  const refresh = refreshing.withPermit(
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (lastScan !== undefined && now - lastScan < rescanMs) return
      lastScan = now
      const names = yield* disk.skillNames
      const present = new Set(names)
      yield* Effect.forEach(
        names,
        (name) =>
          Effect.gen(function* () {
            const key = yield* disk.fileKey(disk.fileOf(name, "SKILL.md"))
            if (key === disk.memoOf(name).searchKey && mini.has(name)) return
            const doc = yield* disk.readDoc(name)
            if (doc) yield* indexSkill(name, doc)
            else yield* discard(name)
          }),
        { concurrency: 32, discard: true }
      )
      for (const m of disk.memos.keys()) {
        if (!present.has(m) && mini.has(m)) mini.discard(m)
      }
    })
  )

  const ranked = (query: string, limit: number) =>
    Effect.map(refresh, () =>
      mini
        .search(query)
        .slice(0, limit)
        .map((hit) => ({ name: String(hit.id), score: hit.score }))
    )

  return { indexSkill, discard, ranked }
}
