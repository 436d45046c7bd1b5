// A stdio MCP server (low-level SDK Server) whose results break their own promises: structured
// content that does not match the tool's outputSchema, none at all, a malformed content block,
// and a JSON-RPC error instead of a result.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool
} from "@modelcontextprotocol/sdk/types.js"

const outputSchema = {
  type: "object" as const,
  properties: { n: { type: "number" } },
  required: ["n"]
}
const tools: Array<Tool> = ["right", "wrong_shape", "no_structured", "bad_content", "reject"].map((name) => ({
  name,
  inputSchema: { type: "object" },
  ...(name === "bad_content" || name === "reject" ? {} : { outputSchema })
}))
const results: Record<string, unknown> = {
  right: { content: [{ type: "text", text: '{"n":1}' }], structuredContent: { n: 1 } },
  wrong_shape: { content: [{ type: "text", text: '{"n":"one"}' }], structuredContent: { n: "one" } },
  no_structured: { content: [{ type: "text", text: "1" }] }
}

const server = new Server({ name: "liar", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  if (request.params.name === "reject") throw new McpError(ErrorCode.InvalidParams, "no such widget")
  if (request.params.name !== "bad_content") return results[request.params.name] as never
  // The SDK's Server refuses to send a malformed result, so write the answer by hand.
  const answer = { jsonrpc: "2.0", id: extra.requestId, result: { content: [{ type: "text" }] } }
  process.stdout.write(`${JSON.stringify(answer)}\n`)
  return new Promise<never>(() => {})
})
await server.connect(new StdioServerTransport())
