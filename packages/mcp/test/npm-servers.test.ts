// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config's interpolation syntax under test
// The published reference servers, started over stdio from node_modules with this Node.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, layer } from "@effect/vitest"
import { McpHub } from "@tta/mcp"
import { Effect } from "effect"
import { binOf, stdio, tempDir } from "./helpers.ts"

const root = tempDir("fs")
mkdirSync(join(root, "docs"))
writeFileSync(join(root, "docs", "hello.txt"), "hello from the test\n")
const memoryDir = tempDir("memory")

const Hub = McpHub.layer(
  {
    mcpServers: {
      everything: stdio(binOf("@modelcontextprotocol/server-everything"), ["stdio"], {
        GREETING: "${TTA_TEST_GREETING:-bonjour}"
      }),
      filesystem: stdio(binOf("@modelcontextprotocol/server-filesystem"), [root]),
      memory: stdio(binOf("@modelcontextprotocol/server-memory"), [], {
        MEMORY_FILE_PATH: join(memoryDir, "memory.jsonl")
      })
    }
  },
  { timeout: "20 seconds" }
)

describe("reference servers over stdio", () => {
  layer(Hub, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("everything: lists tools and echoes; env interpolation reaches the process", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        const tools = yield* hub.listTools("everything")
        const echo = tools.find((t) => t.name === "echo")
        assert.isDefined(echo)
        assert.deepStrictEqual(echo?.inputSchema.required, ["message"])
        assert.strictEqual(yield* hub.callTool("everything", "echo", { message: "hi" }), "Echo: hi")
        assert.strictEqual(
          yield* hub.callTool("everything", "get-sum", { a: 2, b: 40 }),
          "The sum of 2 and 40 is 42."
        )
        const env = yield* hub.callTool("everything", "get-env", {})
        assert.strictEqual((env as Record<string, string>).GREETING, "bonjour")
      })
    )

    it.effect("everything: structuredContent is returned as the value", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        const weather = yield* hub.callTool("everything", "get-structured-content", { location: "Chicago" })
        assert.isObject(weather)
        assert.containsAllKeys(weather, ["temperature", "conditions", "humidity"])
      })
    )

    it.effect("everything: arguments failing inputSchema are refused before sending", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        const error = yield* Effect.flip(hub.callTool("everything", "get-sum", { a: "two" }))
        assert.strictEqual(error._tag, "InvalidToolArguments")
        assert.include(error.message, "everything/get-sum")
        assert.include(error.message, "must have required property 'b'")
        assert.include(error.message, "arguments/a must be number")
        const notObject = yield* Effect.flip(hub.callTool("everything", "echo", "hi"))
        assert.strictEqual(notObject._tag, "InvalidToolArguments")
      })
    )

    it.effect("everything: unknown tool and unknown server are typed errors", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        const tool = yield* Effect.flip(hub.callTool("everything", "no-such-tool", {}))
        assert.strictEqual(tool._tag, "ToolNotFound")
        assert.include(tool.message, `has no tool "no-such-tool"`)
        assert.include(tool.message, "echo")
        const server = yield* Effect.flip(hub.callTool("nope", "echo", {}))
        assert.strictEqual(server._tag, "ServerNotFound")
        assert.include(server.message, "everything, filesystem, memory")
      })
    )

    it.effect(
      "filesystem: reads, writes and lists a temp dir; a tool error carries the server's message",
      () =>
        Effect.gen(function* () {
          const hub = yield* McpHub
          const read = yield* hub.callTool("filesystem", "read_text_file", {
            path: join(root, "docs", "hello.txt")
          })
          assert.deepStrictEqual(read, { content: "hello from the test\n" })
          yield* hub.callTool("filesystem", "write_file", {
            path: join(root, "docs", "new.txt"),
            content: "written"
          })
          assert.strictEqual(readFileSync(join(root, "docs", "new.txt"), "utf8"), "written")
          const listing = (yield* hub.callTool("filesystem", "list_directory", {
            path: join(root, "docs")
          })) as {
            content: string
          }
          assert.include(listing.content, "[FILE] hello.txt")
          assert.include(listing.content, "[FILE] new.txt")
          const denied = yield* Effect.flip(
            hub.callTool("filesystem", "read_text_file", { path: "/etc/hostname" })
          )
          assert.strictEqual(denied._tag, "ToolError")
          assert.include(denied.message, "filesystem/read_text_file failed")
          assert.include(denied.message, "outside allowed directories")
        })
    )

    it.effect("memory: a knowledge graph persists in MEMORY_FILE_PATH", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        yield* hub.callTool("memory", "create_entities", {
          entities: [{ name: "Ada", entityType: "person", observations: ["wrote the first program"] }]
        })
        const graph = (yield* hub.callTool("memory", "read_graph", {})) as {
          entities: ReadonlyArray<{ name: string }>
        }
        assert.deepStrictEqual(
          graph.entities.map((e) => e.name),
          ["Ada"]
        )
        assert.include(readFileSync(join(memoryDir, "memory.jsonl"), "utf8"), "wrote the first program")
      })
    )

    it.effect("catalog: every server with inputSchema, outputSchema and annotations", () =>
      Effect.gen(function* () {
        const hub = yield* McpHub
        const catalog = yield* hub.catalog()
        assert.deepStrictEqual(
          catalog.servers.map((s) => s.name),
          ["everything", "filesystem", "memory"]
        )
        for (const server of catalog.servers) {
          assert.isUndefined(server.error)
          assert.isAbove(server.tools.length, 3)
        }
        const fs = catalog.servers[1]
        const readFile = fs?.tools.find((t) => t.name === "read_text_file")
        assert.strictEqual(readFile?.inputSchema.type, "object")
        assert.isDefined(readFile?.outputSchema)
        assert.strictEqual(readFile?.annotations?.readOnlyHint, true)
        // Plain data: survives a JSON round trip unchanged.
        assert.deepStrictEqual(JSON.parse(JSON.stringify(catalog)), catalog)
      })
    )
  })
})
