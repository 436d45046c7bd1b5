import { describe, expect, it } from "vitest"
import * as FieldIndex from "../src/FieldIndex.ts"

const tools = [
  { name: "create_issue", description: "Create a new issue in a repository" },
  { name: "add_issue_comment", description: "Add a comment to an existing issue" },
  { name: "create_pull_request", description: "Create a new pull request" },
  { name: "create_pull_request_review", description: "Create a review on a pull request" },
  { name: "take_screenshot", description: "Take a screenshot of the page" },
  { name: "list_directory", description: "List the entries of a directory" }
]
const index = () => {
  const i = FieldIndex.make<"name" | "description">({
    fields: { name: 3, description: 1 },
    nameField: "name"
  })
  tools.forEach((t, id) => {
    i.add(id, t)
  })
  return i
}
const top = (i: FieldIndex.FieldIndex<"name" | "description">, q: string) =>
  tools[i.search(q, 1)[0]?.id ?? -1]?.name

describe("FieldIndex", () => {
  it("matches other forms of a word through stemming", () => {
    expect(top(index(), "screenshots")).toBe("take_screenshot")
    expect(top(index(), "listing directories")).toBe("list_directory")
  })

  it("finds a tool through WordNet's synonyms, below a document with the query's own word", () => {
    // "shut" is in no hand-kept group: WordNet (DerivedSynonyms.ts) relates it to "close".
    expect(FieldIndex.derivedOf("shut")).toContain("close")
    const docs = [
      { name: "close_page", description: "Close a browser page" },
      { name: "list_pages", description: "List the open pages" }
    ]
    const i = FieldIndex.make<"name" | "description">({
      fields: { name: 3, description: 1 },
      nameField: "name"
    })
    for (const [id, d] of docs.entries()) i.add(id, d)
    expect(docs[i.search("shut the page", 1)[0]!.id]?.name).toBe("close_page")
    i.add(2, { name: "shut_page", description: "Shut a page down" })
    expect(i.search("shut the page", 2).map((h) => h.id)).toEqual([2, 0])
  })

  it("finds a tool through synonyms of the query's words", () => {
    // Neither word of the query is in any document: only their synonyms (create, issue) match.
    expect(
      index()
        .search("open a ticket", 2)
        .map((h) => tools[h.id]?.name)
    ).toContain("create_issue")
    expect(top(index(), "picture of the page")).toBe("take_screenshot")
    expect(top(index(), "show what is inside a folder")).toBe("list_directory")
  })

  it("ranks the tool whose name the query covers whole above longer names sharing its words", () => {
    expect(top(index(), "create pull request")).toBe("create_pull_request")
    expect(top(index(), "create pull request review")).toBe("create_pull_request_review")
  })

  it("falls back to prefixes and then to near spellings only when needed", () => {
    expect(top(index(), "screensh")).toBe("take_screenshot")
    expect(top(index(), "screnshot")).toBe("take_screenshot")
    expect(index().search("zzzz")).toEqual([])
  })

  it("returns at most `limit` hits, best first, ties in id order", () => {
    const i = FieldIndex.make({ fields: { name: 1 } })
    for (let id = 0; id < 20; id++) i.add(id, { name: "same words" })
    const hits = i.search("same", 5)
    expect(hits.map((h) => h.id)).toEqual([0, 1, 2, 3, 4])
    expect(new Set(hits.map((h) => h.score)).size).toBe(1)
    expect(i.size).toBe(20)
  })

  it("indexes documents added after a search", () => {
    const i = index()
    expect(top(i, "weather")).toBeUndefined()
    i.add(tools.length, { name: "get_weather", description: "Forecast for a city" })
    expect(i.search("weather", 1)[0]?.id).toBe(tools.length)
  })
})
