// A stdio MCP server that does not exit when its stdin closes (a timer keeps it alive), as some
// servers in the wild do: only a signal ends it.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"

const server = new Server({ name: "stubborn", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{ name: "noop", description: "Does nothing", inputSchema: { type: "object" } }]
}))
setInterval(() => {}, 60_000)
await server.connect(new StdioServerTransport())
