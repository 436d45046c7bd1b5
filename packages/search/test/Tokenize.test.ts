import { assert, describe, it } from "vitest"
import { Tokenize } from "../src/index.ts"

describe("Tokenize", () => {
  it("gives the same words for ASCII text (its fast path) as for the same text with a non-ASCII character", () => {
    const texts = [
      "list_directoryWithSizes get-URLValue",
      "parseHTTPResponse v2Api XMLHttpRequest ID x",
      "a__b--C9D 42 9lives ABCdef A2 aB",
      "Get the file's contents (UTF-8); returns {path, size}. See https://example.org/API_v3"
    ]
    // "é" sends the text down the Unicode path; it is its own word, so only it differs.
    for (const text of texts)
      assert.deepStrictEqual([...Tokenize.tokenize(text), "é"], Tokenize.tokenize(`${text} é`))
  })

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
