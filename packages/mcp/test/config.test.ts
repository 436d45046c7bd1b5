// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config's interpolation syntax under test
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { McpConfig, McpHub } from "@tta/mcp"
import { Effect } from "effect"
import { serverScript, tempDir } from "./helpers.ts"

const env = { HOME: "/home/ada", TOKEN: "t0k3n", EMPTY: "" }

describe("McpConfig", () => {
  it.effect("decodes stdio, http and sse entries with interpolation", () =>
    Effect.gen(function* () {
      const config = yield* McpConfig.decode(
        {
          mcpServers: {
            fs: {
              command: "npx",
              args: ["-y", "server-filesystem", "${HOME}/work"],
              env: { KEY: "${TOKEN}" }
            },
            api: {
              type: "http",
              url: "${API_URL:-https://api.example.com}/mcp",
              headers: { Authorization: "Bearer ${TOKEN}" }
            },
            old: { type: "sse", url: "http://localhost:9000/sse" },
            tool: { type: "stdio", command: "tool", cwd: "${EMPTY:-/tmp}" }
          },
          globalShortcut: "Ctrl+Space"
        },
        env
      )
      assert.deepStrictEqual(config.mcpServers.fs, {
        type: "stdio",
        command: "npx",
        args: ["-y", "server-filesystem", "/home/ada/work"],
        env: { KEY: "t0k3n" }
      })
      assert.deepStrictEqual(config.mcpServers.api, {
        type: "http",
        url: "https://api.example.com/mcp",
        headers: { Authorization: "Bearer t0k3n" }
      })
      assert.deepStrictEqual(config.mcpServers.old, {
        type: "sse",
        url: "http://localhost:9000/sse",
        headers: {}
      })
      assert.deepStrictEqual(config.mcpServers.tool, {
        type: "stdio",
        command: "tool",
        args: [],
        env: {},
        cwd: "/tmp"
      })
    })
  )

  it.effect("names the server and field of a wrongly typed value", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        McpConfig.decode({ mcpServers: { fs: { command: "npx", args: ["ok", 3] } } }, env)
      )
      assert.strictEqual(error._tag, "McpConfigError")
      assert.strictEqual(error.server, "fs")
      assert.strictEqual(error.field, "args[1]")
      assert.match(error.message, /server "fs", field "args\[1\]": Expected string/)
    })
  )

  it.effect("names a missing command, a bad type and a bad url", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(McpConfig.decode({ mcpServers: { a: { args: [] } } }, env))
      assert.strictEqual(missing.server, "a")
      assert.strictEqual(missing.field, "command")
      const badType = yield* Effect.flip(
        McpConfig.decode({ mcpServers: { b: { type: "websocket", url: "x" } } }, env)
      )
      assert.strictEqual(badType.server, "b")
      assert.strictEqual(badType.field, "type")
      const badUrl = yield* Effect.flip(
        McpConfig.decode({ mcpServers: { c: { type: "http", url: "ftp://x" } } }, env)
      )
      assert.strictEqual(badUrl.field, "url")
      assert.match(badUrl.message, /server "c", field "url": expected an http\(s\) URL/)
      const noRoot = yield* Effect.flip(McpConfig.decode({ servers: {} }, env))
      assert.strictEqual(noRoot.field, "mcpServers")
    })
  )

  it.effect("an unset variable without default names server, field and variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        McpConfig.decode(
          { mcpServers: { api: { type: "http", url: "https://x", headers: { "X-Key": "${NOPE}" } } } },
          env
        )
      )
      assert.strictEqual(error.server, "api")
      assert.strictEqual(error.field, "headers.X-Key")
      assert.match(error.message, /NOPE is not set/)
    })
  )

  it.effect("reads a file; bad JSON is an error with the path and no stack trace", () =>
    Effect.gen(function* () {
      const dir = tempDir("config")
      const good = join(dir, ".mcp.json")
      writeFileSync(good, JSON.stringify({ mcpServers: { m: { command: "node", args: ["${HOME}/m.js"] } } }))
      const config = yield* McpConfig.load(good, env)
      assert.deepStrictEqual(config.mcpServers.m, {
        type: "stdio",
        command: "node",
        args: ["/home/ada/m.js"],
        env: {}
      })
      const bad = join(dir, "bad.json")
      writeFileSync(bad, "{ mcpServers: ")
      const error = yield* Effect.flip(McpConfig.load(bad, env))
      assert.include(error.message, `${bad} is not valid JSON`)
      assert.notInclude(error.message, "    at ")
      const gone = yield* Effect.flip(McpConfig.load(join(dir, "missing.json"), env))
      assert.include(gone.message, "ENOENT")
    })
  )

  it.live("McpHub.layerFile: a good file serves calls; a bad one fails the layer with McpConfigError", () =>
    Effect.gen(function* () {
      const dir = tempDir("layer")
      const good = join(dir, ".mcp.json")
      writeFileSync(
        good,
        JSON.stringify({
          mcpServers: { fault: { command: process.execPath, args: [serverScript("fault")] } }
        })
      )
      const echoed = yield* Effect.gen(function* () {
        const hub = yield* McpHub
        return yield* hub.callTool("fault", "echo", { text: "from file" })
      }).pipe(Effect.provide(McpHub.layerFile(good)))
      assert.strictEqual(echoed, "from file")
      const bad = join(dir, "bad.json")
      writeFileSync(bad, JSON.stringify({ mcpServers: { fault: { command: 42 } } }))
      const error = yield* Effect.flip(
        Effect.provide(
          Effect.map(McpHub, (hub) => hub.servers),
          McpHub.layerFile(bad)
        )
      )
      assert.strictEqual(error._tag, "McpConfigError")
      assert.match(error.message, /server "fault", field "command"/)
    })
  )
})
