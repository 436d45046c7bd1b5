import { assert, describe, it } from "@effect/vitest"
import { ToolResult } from "@tta/mcp"

describe("ToolResult.toValue", () => {
  it("prefers structuredContent, parses JSON text, keeps prose and media", () => {
    assert.deepStrictEqual(
      ToolResult.toValue({ content: [{ type: "text", text: "{}" }], structuredContent: { a: 1 } }),
      { a: 1 }
    )
    assert.deepStrictEqual(ToolResult.toValue({ content: [{ type: "text", text: '{"a":[1,2]}' }] }), {
      a: [1, 2]
    })
    assert.strictEqual(ToolResult.toValue({ content: [{ type: "text", text: "42" }] }), 42)
    assert.strictEqual(ToolResult.toValue({ content: [{ type: "text", text: "hello" }] }), "hello")
    assert.strictEqual(ToolResult.toValue({ content: [{ type: "text", text: "{not json" }] }), "{not json")
    assert.deepStrictEqual(
      ToolResult.toValue({
        content: [
          { type: "text", text: "[1]" },
          { type: "text", text: "two" }
        ]
      }),
      [[1], "two"]
    )
    const image = { type: "image" as const, data: "AAAA", mimeType: "image/png" }
    assert.deepStrictEqual(ToolResult.toValue({ content: [image] }), [image])
    assert.strictEqual(ToolResult.toValue({ content: [] }), null)
  })
})
