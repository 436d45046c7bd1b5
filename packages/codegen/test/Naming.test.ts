import { describe, expect, it } from "vitest"
import { assignUnique, camelCase, directory, identifier, pascalCase } from "../src/Naming.ts"

describe("Naming", () => {
  it("turns tool names into camelCase identifiers", () => {
    expect(identifier("list_directory")).toBe("listDirectory")
    expect(identifier("get-sum")).toBe("getSum")
    expect(identifier("API-post-search")).toBe("apiPostSearch")
    expect(identifier("LIST_FILES")).toBe("listFiles")
    expect(identifier("getURL")).toBe("getURL")
    expect(identifier("browser.navigate back")).toBe("browserNavigateBack")
    expect(identifier("créer_page")).toBe("creerPage")
    expect(identifier("2fa_check")).toBe("_2faCheck")
    expect(identifier("🙂")).toBe("tool")
  })

  it("keeps reserved words and `index` out of bindings and file names", () => {
    expect(identifier("delete")).toBe("delete_")
    expect(identifier("class")).toBe("class_")
    expect(identifier("await")).toBe("await_")
    expect(identifier("index")).toBe("index_")
    expect(identifier("Index")).toBe("index_")
    expect(identifier("get")).toBe("get")
  })

  it("makes server directories lower-case path segments", () => {
    expect(directory("My Server.v2")).toBe("my-server-v2")
    expect(directory("github")).toBe("github")
    expect(directory("../etc")).toBe("etc")
    expect(directory("...")).toBe("server")
    expect(pascalCase("list_directory")).toBe("ListDirectory")
    expect(camelCase("", "server")).toBe("server")
  })

  it("resolves collisions case-insensitively, whatever the input order", () => {
    const names = ["list-directory", "list_directory", "listDirectory", "ListDirectory"]
    const expected = new Map([
      ["listDirectory", "listDirectory"],
      ["ListDirectory", "listDirectory_2"],
      ["list-directory", "listDirectory_3"],
      ["list_directory", "listDirectory_4"]
    ])
    expect(new Map([...assignUnique(names, identifier)].sort())).toEqual(new Map([...expected].sort()))
    expect(new Map([...assignUnique([...names].reverse(), identifier)].sort())).toEqual(
      new Map([...expected].sort())
    )
  })

  it("never hands out a name a later base would take", () => {
    const out = assignUnique(["a-b", "a_b", "aB_2"], identifier)
    expect(new Set(out.values()).size).toBe(3)
    expect([...out.values()].map((n) => n.toLowerCase()).sort()).toEqual(["ab", "ab2", "ab_2"])
  })
})
