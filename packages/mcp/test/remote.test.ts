// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config's interpolation syntax under test
// Our own SDK server over Streamable HTTP (and legacy SSE) on 127.0.0.1, started per run.
import type { ChildProcess } from "node:child_process"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { McpConfig, McpHub } from "@tta/mcp"
import { Effect, Fiber, PubSub, Stream } from "effect"
import { startHttpServer } from "./helpers.ts"

const TOKEN = "s3cret-token"
let server: { port: number; child: ChildProcess }

beforeAll(async () => {
  server = await startHttpServer(TOKEN)
})
afterAll(() => {
  server.child.kill("SIGKILL")
})

const remoteConfig = (token: string, path = "/mcp", type: "http" | "sse" = "http") =>
  McpConfig.decode(
    {
      mcpServers: {
        remote: {
          type,
          url: "http://127.0.0.1:${TEST_PORT}${TEST_PATH}",
          headers: { Authorization: "Bearer ${TEST_TOKEN}", "X-Tenant": "${TEST_TENANT:-acme}" }
        }
      }
    },
    { TEST_PORT: String(server.port), TEST_PATH: path, TEST_TOKEN: token }
  )

describe("remote servers", () => {
  it.live("Streamable HTTP: calls go through, configured headers reach the server", () =>
    Effect.gen(function* () {
      const hub = yield* McpHub.make(yield* remoteConfig(TOKEN))
      assert.strictEqual(yield* hub.callTool("remote", "echo", { text: "over http" }), "over http")
      assert.deepStrictEqual(yield* hub.callTool("remote", "whoami", {}), { tenant: "acme" })
      const [status] = yield* hub.status()
      assert.strictEqual(status?.transport, "http")
      assert.isTrue(status?.connected)
    }).pipe(Effect.scoped)
  )

  it.live("a wrong bearer token is a ConnectError naming the server and the 401", () =>
    Effect.gen(function* () {
      const hub = yield* McpHub.make(yield* remoteConfig("wrong"))
      const error = yield* Effect.flip(hub.callTool("remote", "echo", { text: "x" }))
      assert.strictEqual(error._tag, "ConnectError")
      assert.include(error.message, `MCP server "remote" could not be started`)
      assert.include(error.message, "401", error.message)
    }).pipe(Effect.scoped)
  )

  it.live("tools/list_changed refreshes the cached catalog and is published on `changes`", () =>
    Effect.gen(function* () {
      const hub = yield* McpHub.make(yield* remoteConfig(TOKEN))
      const before = yield* hub.catalog()
      assert.notInclude(before.servers[0]?.tools.map((t) => t.name) ?? [], "fresh_tool")
      const changes = yield* hub.subscribeChanges
      const viaStream = yield* Effect.forkChild(Stream.runHead(hub.changes))
      yield* Effect.sleep("50 millis")
      yield* hub.callTool("remote", "add_tool", { name: "fresh_tool" })
      assert.strictEqual(yield* PubSub.take(changes), "remote")
      const head = yield* Fiber.join(viaStream)
      assert.strictEqual(head._tag === "Some" ? head.value : undefined, "remote")
      const after = yield* hub.catalog()
      assert.include(after.servers[0]?.tools.map((t) => t.name) ?? [], "fresh_tool")
      assert.deepStrictEqual(yield* hub.callTool("remote", "fresh_tool", {}), { added: "fresh_tool" })
    }).pipe(Effect.scoped)
  )

  it.live("legacy HTTP+SSE transport with headers", () =>
    Effect.gen(function* () {
      const hub = yield* McpHub.make(yield* remoteConfig(TOKEN, "/sse", "sse"))
      assert.strictEqual(yield* hub.callTool("remote", "echo", { text: "over sse" }), "over sse")
      assert.deepStrictEqual(yield* hub.callTool("remote", "whoami", {}), { tenant: "acme" })
    }).pipe(Effect.scoped)
  )

  it.live(
    "a remote server that goes away is a typed error, and reconnecting while it is down is a ConnectError",
    () =>
      Effect.gen(function* () {
        const own = yield* Effect.acquireRelease(
          Effect.promise(() => startHttpServer(TOKEN)),
          (s) => Effect.sync(() => s.child.kill("SIGKILL"))
        )
        const config = yield* McpConfig.decode({
          mcpServers: {
            gone: {
              type: "http",
              url: `http://127.0.0.1:${own.port}/mcp`,
              headers: { Authorization: `Bearer ${TOKEN}` }
            }
          }
        })
        const hub = yield* McpHub.make(config, { restartBackoff: "20 millis" })
        assert.strictEqual(yield* hub.callTool("gone", "echo", { text: "one" }), "one")
        own.child.kill("SIGKILL")
        yield* Effect.promise(() => new Promise((resolve) => own.child.once("exit", resolve)))
        const error = yield* Effect.flip(hub.callTool("gone", "echo", { text: "2" }))
        assert.strictEqual(error._tag, "ServerCrashed")
        assert.include(error.message, `MCP server "gone" could not be reached`)
        const again = yield* Effect.flip(hub.callTool("gone", "echo", { text: "3" }))
        assert.strictEqual(again._tag, "ConnectError")
      }).pipe(Effect.scoped)
  )
})
