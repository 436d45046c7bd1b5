import { assert, describe, it } from "vitest"
import { Tokenize } from "../src/index.ts"

describe("Tokenize", () => {
  it("splits words, snake/kebab case and camelCase the same way", () => {
    assert.deepStrictEqual(Tokenize.tokenize("listDirectory"), ["list", "Directory"])
    assert.deepStrictEqual(Tokenize.tokenize("list_directory list-directory"), [
      "list",
      "directory",
      "list",
      "directory"
    ])
    assert.deepStrictEqual(Tokenize.tokenize("parseHTTPResponse v2Api"), [
      "parse",
      "HTTP",
      "Response",
      "v2",
      "Api"
    ])
  })

  it("keeps letters and digits of any script, drops punctuation", () => {
    assert.deepStrictEqual(Tokenize.tokenize("Größe: 12 €, naïve café!"), ["Größe", "12", "naïve", "café"])
  })

  it("terms are lower-cased without stop words", () => {
    assert.deepStrictEqual(Tokenize.terms("Read the File from a Directory"), ["read", "file", "directory"])
    assert.strictEqual(Tokenize.processTerm("The"), null)
  })
})
