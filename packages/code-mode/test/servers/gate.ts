// A stdio MCP server whose one tool reaches a URL the test serves and answers with its body: the
// test decides when each call returns, and sees each call arrive (and a cancelled one go away).
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"

const server = new Server({ name: "gate", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "visit",
      description: "Fetches a URL and returns its body as text",
      inputSchema: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
      outputSchema: { type: "object", properties: { body: { type: "string" } }, required: ["body"] }
    }
  ]
}))
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const url = String(request.params.arguments?.url)
  // A cancelled call (notifications/cancelled from the hub) aborts its request: the test sees it go.
  const body = await (await fetch(url, { signal: extra.signal })).text()
  return { content: [{ type: "text", text: body }], structuredContent: { body } }
})
await server.connect(new StdioServerTransport())
