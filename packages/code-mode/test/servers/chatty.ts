// A stdio MCP server that logs (notifications/message, logger "talk") around a URL the test serves,
// so the test decides when each log line is written: `say` logs its text, then fetches the URL and
// answers with the body (the line belongs to the call in flight); `later` answers at once, then
// fetches the URL and logs once the test answers it (a line of no call: the server's own); reading
// the resource chatty://note logs "read-note" before answering.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema
} from "@modelcontextprotocol/sdk/types.js"

const server = new Server(
  { name: "chatty", version: "1.0.0" },
  { capabilities: { tools: {}, logging: {}, resources: {} } }
)
const inputSchema = {
  type: "object",
  properties: { text: { type: "string" }, url: { type: "string" } },
  required: ["text", "url"]
} as const
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "say", description: "Logs the text, then fetches the URL and returns its body", inputSchema },
    { name: "later", description: "Returns at once; fetches the URL and then logs the text", inputSchema }
  ]
}))
const log = (text: string) => server.sendLoggingMessage({ level: "info", logger: "talk", data: text })
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const { text, url } = request.params.arguments as { text: string; url: string }
  if (request.params.name === "later") {
    void fetch(url)
      .then((r) => r.text())
      .then(() => log(text))
    return { content: [{ type: "text", text: "later" }] }
  }
  await log(text)
  const body = await (await fetch(url)).text()
  return { content: [{ type: "text", text: body }] }
})
server.setRequestHandler(ListResourcesRequestSchema, async () => ({
  resources: [{ uri: "chatty://note", name: "note" }]
}))
server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  await log("read-note")
  return { contents: [{ uri: request.params.uri, text: "a note" }] }
})
await server.connect(new StdioServerTransport())
