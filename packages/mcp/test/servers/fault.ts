// A stdio MCP server that misbehaves on request, one tool per fault: exits mid-call, never
// answers, freezes its event loop, writes garbage to stdout, returns a huge result.
// `--die-at-start` makes it exit before answering `initialize` (for the restart budget).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { z } from "zod"

if (process.argv.includes("--die-at-start")) {
  process.stderr.write("fault server: refusing to start (bad credentials)\n")
  process.exit(2)
}

const server = new McpServer({ name: "fault", version: "1.0.0" })
let cancellations = 0
const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] })

server.registerTool(
  "echo",
  {
    description: "Echo the text back",
    inputSchema: { text: z.string(), times: z.number().int().min(1).optional() }
  },
  async ({ text: t, times }) => text(t.repeat(times ?? 1))
)
server.registerTool("pid", { description: "The server's process id" }, async () =>
  text(JSON.stringify({ pid: process.pid }))
)
server.registerTool("crash", { description: "Exit in the middle of the call" }, async () => {
  process.stderr.write("fault server: segfault in widget frobnicator\n")
  setTimeout(() => process.exit(3), 5)
  return new Promise<never>(() => {})
})
server.registerTool("hang", { description: "Never answer (but stay responsive)" }, async (extra) => {
  await new Promise<void>((resolve) => extra.signal.addEventListener("abort", () => resolve()))
  cancellations++
  return text("cancelled")
})
server.registerTool("freeze", { description: "Block the event loop forever" }, async () => {
  for (;;) {
    // busy: answers nothing, not even ping
  }
})
server.registerTool("garbage", { description: "Write non-JSON-RPC output to stdout" }, async () => {
  process.stdout.write("Loading widgets... done!\n")
  return new Promise<never>(() => {})
})
server.registerTool(
  "big",
  { description: "Return a text result of the given size", inputSchema: { megabytes: z.number() } },
  async ({ megabytes }) => text("x".repeat(Math.floor(megabytes * 1024 * 1024)))
)
server.registerTool(
  "cancellations",
  { description: "How many calls were cancelled by the client" },
  async () => text(JSON.stringify({ cancellations }))
)
server.registerTool("fail", { description: "Report a tool error" }, async () => ({
  isError: true,
  content: [{ type: "text" as const, text: "the widget is broken" }]
}))
server.registerTool(
  "weather",
  {
    description: "Structured output",
    inputSchema: { city: z.string() },
    outputSchema: { city: z.string(), celsius: z.number() }
  },
  async ({ city }) => {
    const out = { city, celsius: 21.5 }
    return { content: [{ type: "text" as const, text: JSON.stringify(out) }], structuredContent: out }
  }
)
let inflight = 0
let maxInflight = 0
server.registerTool(
  "slow",
  { description: "Answer after `ms` milliseconds", inputSchema: { ms: z.number() } },
  async ({ ms }) => {
    inflight++
    maxInflight = Math.max(maxInflight, inflight)
    await new Promise((resolve) => setTimeout(resolve, ms))
    inflight--
    return text(JSON.stringify({ ok: true }))
  }
)
server.registerTool("stats", { description: "Most calls seen in flight at once" }, async () =>
  text(JSON.stringify({ maxInflight }))
)
server.registerTool("prose", { description: "Return plain text that is not JSON" }, async () =>
  text("hello, world")
)

await server.connect(new StdioServerTransport())
