// A stdio MCP server for the large-result benchmark: `points` answers with a time series of
// about `megabytes` MB on the wire, as structuredContent plus its JSON text copy (the shape of
// a metrics query, and what the MCP spec asks a tool with an outputSchema to send). The
// payload is built once per size, so the server's own cost stays small and constant.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { z } from "zod"

const server = new McpServer({ name: "payload", version: "1.0.0" })
// ~35 bytes of structuredContent + ~45 of escaped text per point.
const BYTES_PER_POINT = 80
const cache = new Map<number, { points: Array<{ t: number; v: number }> }>()
const series = (megabytes: number) => {
  let out = cache.get(megabytes)
  if (out === undefined) {
    const n = Math.floor((megabytes * 1024 * 1024) / BYTES_PER_POINT)
    out = {
      points: Array.from({ length: n }, (_, i) => ({ t: 1_700_000_000_000 + i * 15_000, v: Math.sin(i) }))
    }
    cache.set(megabytes, out)
  }
  return out
}

server.registerTool(
  "points",
  {
    description: "A time series of about `megabytes` MB (structured, plus its text copy)",
    inputSchema: { megabytes: z.number() },
    outputSchema: { points: z.array(z.object({ t: z.number(), v: z.number() })) }
  },
  async ({ megabytes }) => {
    const out = series(megabytes)
    return { content: [{ type: "text" as const, text: JSON.stringify(out) }], structuredContent: out }
  }
)
server.registerTool(
  "text",
  {
    description: "A JSON text result of about `megabytes` MB (no structuredContent)",
    inputSchema: { megabytes: z.number() }
  },
  async ({ megabytes }) => ({ content: [{ type: "text" as const, text: JSON.stringify(series(megabytes)) }] })
)

await server.connect(new StdioServerTransport())
