/**
 * The skill search index: a TextIndex from @tta/search (the tokenizer and query options tool
 * search uses too, so tools and skills are found the same way) over name, description and tags.
 * The store's warm view (View.ts) keeps one up to date.
 */
import { TextIndex } from "@tta/search"

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
