// The gateway over stdio (`tta serve`, as Claude Code or Cursor start it) passes the MCP surface
// through too: prompts, resources and direct tools of the conformance fixture server.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const tta = join(import.meta.dirname, "..", "src", "bin", "tta.ts")
const client = new Client({ name: "stdio-test", version: "1" })

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tta-stdio-"))
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [
        "--conditions=@tta/source",
        tta,
        "-c",
        "packages/code-mode/test/conformance/mcp.json",
        "--dir",
        dir,
        "serve"
      ],
      cwd: repoRoot,
      stderr: "ignore"
    })
  )
}, 120_000)
afterAll(async () => {
  await client.close()
})

describe("tta serve over stdio", () => {
  it("serves the five tools beside the direct ones, and the servers' prompts and resources", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["execute", "search_tools", "test_simple_text"]))
    const simple = (await client.callTool({ name: "test_simple_text", arguments: {} })) as CallToolResult
    expect(simple.content).toEqual([{ type: "text", text: "This is a simple text response for testing." }])
    const prompt = await client.getPrompt({
      name: "test_prompt_with_arguments",
      arguments: { arg1: "a", arg2: "b" }
    })
    expect(prompt.messages[0]!.content).toEqual({
      type: "text",
      text: "Prompt with arguments: arg1='a', arg2='b'"
    })
    const read = await client.readResource({ uri: "test://static-text" })
    expect(read.contents[0]).toMatchObject({ text: "This is the content of the static text resource." })
  })
})
