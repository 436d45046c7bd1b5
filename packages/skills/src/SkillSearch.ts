/**
 * Ranked skill search: a TextIndex from @tta/search (the tokenizer and query options tool search
 * uses too, so tools and skills are found the same way) over name, description and tags.
 */
import { TextIndex } from "@tta/search"
import { Clock, Effect, Semaphore } from "effect"
import type { Disk } from "./Disk.ts"
import type * as SkillMd from "./SkillMd.ts"

export const fields = ["name", "description", "tags"] as const
export const boost = { name: 3, tags: 2, description: 1 }

export type Entry = TextIndex.Document<(typeof fields)[number]>

export const entry = (name: string, description: string, tags: ReadonlyArray<string>): Entry => ({
  id: name,
  name,
  description,
  tags: tags.join(" ")
})

export const makeIndex = (): TextIndex.TextIndex<(typeof fields)[number]> => TextIndex.make({ fields, boost })

/**
 * The search index of a store: it follows this process's saves at once and re-checks every
 * SKILL.md on disk (by file identity) at most every `rescanMs`, for edits by hand and other
 * processes' saves. `ranked` returns skill names, best first.
 */
export const make = (disk: Disk, rescanMs: number) => {
  const mini = makeIndex()
  let lastScan: number | undefined

  const indexSkill = Effect.fnUntraced(function* (name: string, doc: SkillMd.SkillDoc) {
    mini.set(entry(name, doc.description, doc.tags))
    disk.memoOf(name).searchKey = yield* disk.fileKey(disk.fileOf(name, "SKILL.md"))
  })

  const discard = (name: string) => Effect.sync(() => mini.delete(name))

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
        if (!present.has(m)) mini.delete(m)
      }
    })
  )

  const ranked = (query: string, limit: number) =>
    Effect.map(refresh, () =>
      mini.search(query, { limit }).map((hit) => ({ name: String(hit.id), score: hit.score }))
    )

  return { indexSkill, discard, ranked }
}
