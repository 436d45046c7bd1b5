// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config's interpolation syntax under test
import { mkdirSync, writeFileSync } from "node:fs"
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
      const noRoot = yield* Effect.flip(McpConfig.decode({ tools: {} }, env))
      assert.strictEqual(noRoot.field, "mcpServers")
      assert.include(noRoot.message, "`servers` (VS Code)")
    })
  )

  it.effect("each client's own file: VS Code, Claude Code, Claude Desktop, Cursor", () =>
    Effect.gen(function* () {
      const dir = tempDir("clients")
      const write = (rel: string, json: unknown) => {
        const path = join(dir, rel)
        mkdirSync(join(path, ".."), { recursive: true })
        writeFileSync(path, JSON.stringify(json))
        return path
      }
      writeFileSync(join(dir, "secrets.env"), '# keys\nexport API_KEY="k-1"\nREGION=eu # comment\n')
      const vscode = yield* McpConfig.load(
        write(".vscode/mcp.json", {
          inputs: [{ type: "promptString", id: "token", description: "Token", password: true }],
          servers: {
            fs: {
              type: "stdio",
              command: "npx",
              args: ["-y", "server-filesystem", "${workspaceFolder}/docs", "${userHome}/notes"],
              envFile: "${workspaceFolder}/secrets.env",
              env: { REGION: "${env:REGION_OVERRIDE:-us}" }
            },
            api: { type: "http", url: "https://api.example.com/mcp", headers: { "X-Id": "${env:TOKEN}" } },
            gateway: {
              type: "stdio",
              command: "npx",
              args: ["-y", "@tta/code-mode", "serve", "-c", ".vscode/mcp.json"]
            }
          }
        }),
        env
      )
      assert.deepStrictEqual(vscode.mcpServers.fs, {
        type: "stdio",
        command: "npx",
        args: ["-y", "server-filesystem", `${dir}/docs`, "/home/ada/notes"],
        env: { API_KEY: "k-1", REGION: "us" }
      })
      assert.deepStrictEqual(vscode.mcpServers.api, {
        type: "http",
        url: "https://api.example.com/mcp",
        headers: { "X-Id": "t0k3n" }
      })
      assert.notProperty(vscode.mcpServers, "gateway")
      assert.deepStrictEqual(vscode.skipped, [
        { server: "gateway", reason: "it runs the gateway itself (tta serve)" }
      ])
      const prompt = yield* Effect.flip(
        McpConfig.decode(
          { servers: { gh: { type: "http", url: "https://x", headers: { A: "${input:token}" } } } },
          env
        )
      )
      assert.strictEqual(prompt.server, "gh")
      assert.strictEqual(prompt.field, "headers.A")
      assert.include(prompt.message, "${input:token} is a VS Code input prompt")

      const cursor = yield* McpConfig.load(
        write(".cursor/mcp.json", {
          mcpServers: {
            remote: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${env:TOKEN}" } },
            local: { command: "node", args: ["${workspaceFolder}/server.js"] }
          }
        }),
        env
      )
      assert.deepStrictEqual(cursor.mcpServers.remote, {
        type: "http",
        url: "https://mcp.example.com/mcp",
        headers: { Authorization: "Bearer t0k3n" }
      })
      assert.deepStrictEqual(cursor.mcpServers.local?.type === "stdio" ? cursor.mcpServers.local.args : [], [
        `${dir}/server.js`
      ])
      const desktop = yield* McpConfig.load(
        write("claude_desktop_config.json", {
          globalShortcut: "Ctrl+Space",
          preferences: { menuBarEnabled: true },
          mcpServers: { tta: { command: "tta", args: ["serve", "-c", "/etc/mcp.json"] }, m: { command: "m" } }
        }),
        env
      )
      assert.deepStrictEqual(Object.keys(desktop.mcpServers), ["m"])
      const code = yield* McpConfig.load(
        write(".mcp.json", { mcpServers: { s: { type: "sse", url: "http://localhost:9/sse" } } }),
        env
      )
      assert.strictEqual(code.mcpServers.s?.type, "sse")
      const noEnvFile = yield* Effect.flip(
        McpConfig.decode({ servers: { x: { command: "x", envFile: "/nonexistent/.env" } } }, env)
      )
      assert.strictEqual(noEnvFile.field, "envFile")
      assert.include(noEnvFile.message, "ENOENT")
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
