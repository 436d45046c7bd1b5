import { assert, describe, it } from "vitest"
import { TextIndex } from "../src/index.ts"

const docs = [
  { id: "parse-csv", name: "parse-csv", description: "Parse comma separated text", tags: "csv" },
  { id: "fetch-weather", name: "fetch-weather", description: "Weather forecast for a city", tags: "http" },
  {
    id: "summarize-issues",
    name: "summarize-issues",
    description: "Summarize GitHub issues",
    tags: "github csv"
  }
]

const make = () => {
  const index = TextIndex.make({ fields: ["name", "description", "tags"], boost: { name: 3, tags: 2 } })
  index.addAll(docs)
  return index
}

describe("TextIndex", () => {
  it("ranks by boosted fields, with prefixes and typos", () => {
    const index = make()
    assert.deepStrictEqual(
      index.search("csv").map((h) => h.id),
      ["parse-csv", "summarize-issues"]
    )
    assert.strictEqual(index.search("weath")[0]?.id, "fetch-weather", "prefix")
    assert.strictEqual(index.search("githib")[0]?.id, "summarize-issues", "one typo")
    assert.lengthOf(index.search("zzzz"), 0)
    assert.lengthOf(index.search("csv", { limit: 1 }), 1)
  })

  it("follows changes one document at a time", () => {
    const index = make()
    index.set({ id: "fetch-weather", name: "fetch-weather", description: "Rain radar", tags: "http" })
    assert.lengthOf(index.search("forecast"), 0)
    assert.strictEqual(index.search("radar")[0]?.id, "fetch-weather")
    index.delete("parse-csv")
    index.delete("not-there")
    assert.deepStrictEqual(
      index.search("csv").map((h) => h.id),
      ["summarize-issues"]
    )
    assert.strictEqual(index.size, 2)
    assert.isFalse(index.has("parse-csv"))
  })

  it("orders equal scores by id, so results are stable", () => {
    const index = TextIndex.make({ fields: ["text"] })
    index.addAll([3, 1, 2].map((id) => ({ id, text: "same words here" })))
    assert.deepStrictEqual(
      index.search("words").map((h) => h.id),
      [1, 2, 3]
    )
  })
})

describe("TextIndex: limits", () => {
  it("a limit keeps the best hits, ties at the cut in id order", () => {
    const index = TextIndex.make({ fields: ["text"] })
    index.addAll([
      { id: 5, text: "alpha alpha alpha" },
      { id: 4, text: "alpha" },
      { id: 2, text: "alpha" },
      { id: 3, text: "alpha" }
    ])
    const all = index.search("alpha")
    assert.strictEqual(all[0]?.id, 5)
    assert.deepStrictEqual(
      index.search("alpha", { limit: 2 }).map((h) => h.id),
      [5, 2]
    )
    assert.deepStrictEqual(
      all.map((h) => h.id),
      [5, 2, 3, 4]
    )
  })
})
