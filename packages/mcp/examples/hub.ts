// The README example: read a `.mcp.json`, list the catalog, call a tool.
import { McpHub } from "@tta/mcp"
import { Effect } from "effect"

const program = Effect.gen(function* () {
  const hub = yield* McpHub
  const catalog = yield* hub.catalog() // { servers: [{ name, tools: [{ name, inputSchema, ... }] }] }
  console.log(catalog.servers.map((s) => `${s.name}: ${s.tools.length} tools`))
  const text = yield* hub.callTool(
    "filesystem",
    "read_text_file",
    { path: "notes/todo.md" },
    { timeout: "10 seconds" }
  )
  return text // { content: "..." } — the tool's structuredContent
}).pipe(
  Effect.catchTag("ToolError", (e) => Effect.succeed(`the tool said: ${e.detail}`)),
  Effect.provide(McpHub.layerFile(".mcp.json", { maxConcurrency: 8, maxResultBytes: 5_000_000 }))
)

Effect.runPromise(program).then(console.log)
