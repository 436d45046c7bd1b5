/** A small but real-shaped run: filesystem + memory servers, two calls, one code-mode execution. */
import type { TokenAccount } from "../src/index.ts"

const pathSchema = {
  type: "object",
  properties: { path: { type: "string", description: "Absolute or workspace-relative path" } },
  required: ["path"],
  additionalProperties: false
}

export const catalog: TokenAccount.Catalog = {
  servers: [
    {
      name: "filesystem",
      tools: [
        {
          name: "read_text_file",
          description: "Read the complete contents of a file as text.",
          inputSchema: pathSchema
        },
        {
          name: "list_directory",
          description: "List files and directories in a path.",
          inputSchema: pathSchema
        },
        {
          name: "write_file",
          description: "Create a new file or overwrite an existing file with new content.",
          inputSchema: {
            type: "object",
            properties: { path: { type: "string" }, content: { type: "string" } },
            required: ["path", "content"]
          }
        },
        {
          name: "get_file_info",
          description: "Retrieve detailed metadata about a file.",
          inputSchema: pathSchema
        }
      ]
    },
    {
      name: "memory",
      tools: [
        {
          name: "search_nodes",
          description: "Search for nodes in the knowledge graph based on a query.",
          inputSchema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] }
        },
        {
          name: "create_entities",
          description: "Create multiple new entities in the knowledge graph.",
          inputSchema: {
            type: "object",
            properties: {
              entities: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    name: { type: "string" },
                    entityType: { type: "string" },
                    observations: { type: "array", items: { type: "string" } }
                  }
                }
              }
            }
          }
        }
      ]
    }
  ]
}

const bigLog = Array.from(
  { length: 200 },
  (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, "0")} INFO request ${i} ok`
).join("\n")

export const calls: ReadonlyArray<TokenAccount.ToolCall> = [
  {
    server: "filesystem",
    tool: "list_directory",
    input: { path: "/logs" },
    result: { content: [{ type: "text", text: "[FILE] app.log\n[FILE] error.log" }] },
    durationMs: 4.2
  },
  {
    server: "filesystem",
    tool: "read_text_file",
    input: { path: "/logs/app.log" },
    result: { content: [{ type: "text", text: bigLog }] },
    durationMs: 7.9
  }
]

export const codeMode: TokenAccount.Input["codeMode"] = {
  tools: [
    {
      name: "search_tools",
      description: "Search the generated TypeScript API of the connected MCP servers.",
      inputSchema: { type: "object", properties: { query: { type: "string" } }, required: ["query"] }
    },
    {
      name: "execute",
      description: "Run TypeScript in a sandbox; import tools from ./servers/<server>/index.ts.",
      inputSchema: { type: "object", properties: { code: { type: "string" } }, required: ["code"] }
    }
  ],
  read: [
    "filesystem/readTextFile: Read the complete contents of a file as text.\nfilesystem/listDirectory: List files"
  ],
  code: [
    `import { listDirectory, readTextFile } from "./servers/filesystem/index.ts"
const files = await listDirectory({ path: "/logs" })
const text = await readTextFile({ path: "/logs/app.log" })
export default { files, lines: text.split("\\n").length }`
  ],
  returned: [{ files: "[FILE] app.log\n[FILE] error.log", lines: 200 }]
}

export const input: TokenAccount.Input = { catalog, calls, codeMode }
