// A Streamable HTTP MCP server on 127.0.0.1 (random port). Requires `Authorization: Bearer <token>`
// (token = argv[2]); prints `LISTENING <port>` once ready. `add_tool` registers a new tool at run
// time, so the server sends notifications/tools/list_changed. `/sse` + `/messages` serve the
// legacy HTTP+SSE transport.
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage } from "node:http"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"

const token = process.argv[2] ?? "secret"
const sessions = new Map<string, StreamableHTTPServerTransport>()
const sseSessions = new Map<string, SSEServerTransport>()

const makeServer = (headers: IncomingMessage["headers"]) => {
  const server = new McpServer({ name: "remote", version: "1.0.0" })
  server.registerTool(
    "echo",
    { description: "Echo the text back", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] })
  )
  server.registerTool("whoami", { description: "The headers the client sent" }, async () => ({
    content: [{ type: "text", text: JSON.stringify({ tenant: headers["x-tenant"] ?? null }) }]
  }))
  server.registerTool(
    "add_tool",
    { description: "Register a new tool named `name`", inputSchema: { name: z.string() } },
    async ({ name }) => {
      server.registerTool(name, { description: `Added at run time: ${name}` }, async () => ({
        content: [{ type: "text", text: JSON.stringify({ added: name }) }]
      }))
      return { content: [{ type: "text", text: "ok" }] }
    }
  )
  return server
}

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString("utf8"))
}

const http = createServer(async (req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }))
    return
  }
  const url = new URL(req.url ?? "/", "http://127.0.0.1")
  if (url.pathname === "/sse" && req.method === "GET") {
    const transport = new SSEServerTransport("/messages", res)
    sseSessions.set(transport.sessionId, transport)
    transport.onclose = () => sseSessions.delete(transport.sessionId)
    await makeServer(req.headers).connect(transport)
    return
  }
  if (url.pathname === "/messages" && req.method === "POST") {
    const transport = sseSessions.get(url.searchParams.get("sessionId") ?? "")
    if (transport === undefined) {
      res.writeHead(404).end()
      return
    }
    await transport.handlePostMessage(req, res, await readBody(req))
    return
  }
  const sessionId = req.headers["mcp-session-id"]
  const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined
  const body = req.method === "POST" ? await readBody(req) : undefined
  if (existing !== undefined) {
    await existing.handleRequest(req, res, body)
    return
  }
  if (req.method === "POST" && isInitializeRequest(body)) {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport)
      }
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await makeServer(req.headers).connect(transport)
    await transport.handleRequest(req, res, body)
    return
  }
  res.writeHead(404).end()
})

http.listen(0, "127.0.0.1", () => {
  const address = http.address()
  if (address !== null && typeof address === "object") process.stdout.write(`LISTENING ${address.port}\n`)
})
