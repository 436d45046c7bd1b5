import { mkdirSync, mkdtempSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { McpConfig } from "@tta/mcp"
import { Effect, Fiber, Layer, ManagedRuntime } from "effect"
import { Gateway, Stack } from "../src/index.ts"

const require = createRequire(import.meta.url)
const bin = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), "dist/index.js")

export const serverBins = {
  everything: bin("@modelcontextprotocol/server-everything"),
  filesystem: bin("@modelcontextprotocol/server-filesystem"),
  memory: bin("@modelcontextprotocol/server-memory")
}

/** A temp session: a files/ dir served by server-filesystem and a memory file for server-memory. */
export const tempSession = () => {
  const dir = mkdtempSync(join(tmpdir(), "tta-code-mode-"))
  const files = join(dir, "files")
  mkdirSync(files)
  const mcpServers = {
    everything: { command: process.execPath, args: [serverBins.everything, "stdio"] },
    filesystem: { command: process.execPath, args: [serverBins.filesystem, files] },
    memory: {
      command: process.execPath,
      args: [serverBins.memory],
      env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") }
    }
  }
  return { dir, files, mcpServers }
}

/** The real stack (three real MCP servers, isolate sandbox, skill store) behind the HTTP gateway. */
export const startGateway = async (
  options: Omit<Stack.StackOptions, "dir"> = {},
  {
    perSession = false,
    servers = {},
    defaults = true
  }: {
    readonly perSession?: boolean
    readonly servers?: Record<string, unknown>
    /** Also the three servers of {@link tempSession} (default true). */
    readonly defaults?: boolean
  } = {}
) => {
  const session = tempSession()
  const mcpServers = { ...(defaults ? session.mcpServers : {}), ...servers }
  const mcp = await Effect.runPromise(McpConfig.decode({ mcpServers }))
  const stack = { dir: join(session.dir, "tta"), ...options }
  const runtime = ManagedRuntime.make(Stack.layer(mcp, stack))
  let resolveUrl: (url: string) => void = () => {}
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve
  })
  const fiber = runtime.runFork(
    Effect.scoped(
      Effect.flatMap(
        Effect.flatMap(perSession ? Stack.perSession(stack) : Effect.succeed(undefined), (factory) =>
          Gateway.serveHttp(factory ? { port: 0, perSession: factory } : { port: 0 })
        ),
        (g) =>
          Effect.andThen(
            Effect.sync(() => resolveUrl(g.url)),
            Effect.never
          )
      )
    )
  )
  const endpoint = await url
  const client = new Client({ name: "code-mode-test", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)))
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult
    const text = (result.content as Array<{ type: string; text: string }>).map((c) => c.text).join("\n")
    return { ...result, text }
  }
  const close = async () => {
    await client.close()
    await runtime.runPromise(Fiber.interrupt(fiber))
    await runtime.dispose()
  }
  return { ...session, url: endpoint, client, call, close, runtime }
}

export const layerFor = (
  session: ReturnType<typeof tempSession>,
  options: Omit<Stack.StackOptions, "dir"> = {}
) =>
  Layer.unwrap(
    Effect.map(McpConfig.decode({ mcpServers: session.mcpServers }), (mcp) =>
      Stack.layer(mcp, { dir: join(session.dir, "tta"), ...options })
    )
  )
