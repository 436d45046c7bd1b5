// A stdio MCP server (low-level SDK Server) whose tools/list comes in pages of 10.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js"

const tools: Array<Tool> = Array.from({ length: 25 }, (_, i) => ({
  name: `tool_${String(i).padStart(2, "0")}`,
  description: `Tool number ${i}`,
  inputSchema: { type: "object", properties: { n: { type: "number" } } }
}))
const PAGE = 10

const server = new Server({ name: "paged", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, async (request) => {
  const start = request.params?.cursor === undefined ? 0 : Number(request.params.cursor)
  const next = start + PAGE
  return { tools: tools.slice(start, next), ...(next < tools.length ? { nextCursor: String(next) } : {}) }
})
server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  content: [
    {
      type: "text",
      text: JSON.stringify({ tool: request.params.name, n: request.params.arguments?.n ?? null })
    }
  ]
}))
await server.connect(new StdioServerTransport())
