import { describe, expect, it } from "vitest"
import * as Codegen from "../src/index.ts"

describe("@tta/codegen public API", () => {
  it("generates a tree and searches the same catalog through the top-level exports", () => {
    const catalog: Codegen.ToolCatalog = {
      servers: [
        {
          name: "filesystem",
          tools: [
            {
              name: "list_directory",
              description: "List files in a directory",
              inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] }
            }
          ]
        }
      ]
    }
    const tree = Codegen.generateSync(catalog)
    expect(Object.keys(tree)).toEqual([
      "servers/_runtime.ts",
      "servers/filesystem/index.ts",
      "servers/filesystem/listDirectory.ts",
      "servers/index.ts"
    ])
    const [hit] = Codegen.searchTools(catalog, "files in a folder", { detail: "full" })
    expect(hit?.name).toBe("listDirectory")
    expect(hit?.source).toBe(tree["servers/filesystem/listDirectory.ts"])
    expect(Codegen.Naming.identifier("get-sum")).toBe("getSum")
  })
})
