/**
 * The gateway: code mode as one MCP server. Any MCP client gets five tools — search, read the
 * generated API, execute code, save and list skills — instead of every downstream tool definition.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool
} from "@modelcontextprotocol/sdk/types.js"
import { Cause, Context, Effect, Exit, Schema, Scope } from "effect"
import { CodeMode, type ExecuteOutcome } from "./CodeMode.ts"
import * as Policy from "./Policy.ts"

export const serverInfo = { name: "tta-code-mode", version: "0.1.0" } as const

export const instructions =
  "Code mode: the tools of every connected MCP server are a TypeScript API under servers/. " +
  "Discover with search_tools (or read_api servers/index.ts), read the files you need, then call " +
  "execute with code that imports them, does the work (loops, filters, joins) and returns only what " +
  "you need with `export default`. Save code worth reusing with save_skill."

/** The gateway's tool definitions, as a client receives them from tools/list. */
export const tools: ReadonlyArray<Tool> = [
  {
    name: "search_tools",
    description:
      "Find tools across all connected MCP servers. Returns matching tools with the path of their " +
      "TypeScript file. detail: name (default), description, or full (the file's source).",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "Words describing what you want to do" },
        detail: { type: "string", enum: ["name", "description", "full"] },
        limit: { type: "integer", minimum: 1, maximum: 50 }
      },
      required: ["query"]
    },
    annotations: { readOnlyHint: true }
  },
  {
    name: "read_api",
    description:
      "Read a file of the generated API: servers/index.ts lists servers, servers/<server>/index.ts " +
      "lists a server's tools, servers/<server>/<tool>.ts has its types. skills/<name>/SKILL.md too.",
    inputSchema: {
      type: "object",
      properties: { path: { type: "string", description: "e.g. servers/index.ts" } },
      required: ["path"]
    },
    annotations: { readOnlyHint: true }
  },
  {
    name: "execute",
    description:
      "Run TypeScript in a sandbox. Import tools from ./servers/<server>/index.ts and skills from " +
      "./skills/<name>/index.ts; read and write ./workspace/ files; return the result with " +
      "`export default value` (keep it small). Returns the value, console output and a summary of tool calls.",
    inputSchema: {
      type: "object",
      properties: { code: { type: "string", description: "An ES module in TypeScript" } },
      required: ["code"]
    }
  },
  {
    name: "save_skill",
    description:
      "Save working code as a reusable skill (a new version each time). The code must export a " +
      "function; later executions import it from ./skills/<name>/index.ts.",
    inputSchema: {
      type: "object",
      properties: {
        name: { type: "string", description: "lower-case slug, e.g. triage-errors" },
        description: { type: "string" },
        code: { type: "string" },
        tags: { type: "array", items: { type: "string" } }
      },
      required: ["name", "description", "code"]
    }
  },
  {
    name: "list_skills",
    description: "List saved skills (optionally those matching a query) with versions and run statistics.",
    inputSchema: { type: "object", properties: { query: { type: "string" } } },
    annotations: { readOnlyHint: true }
  }
]

const SearchArgs = Schema.Struct({
  query: Schema.String,
  detail: Schema.optional(Schema.Literals(["name", "description", "full"])),
  limit: Schema.optional(Schema.Number)
})
const ReadArgs = Schema.Struct({ path: Schema.String })
const ExecuteArgs = Schema.Struct({ code: Schema.String })
const SaveArgs = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  code: Schema.String,
  tags: Schema.optional(Schema.Array(Schema.String))
})
const ListArgs = Schema.Struct({ query: Schema.optional(Schema.String) })

const text = (value: unknown): CallToolResult["content"] => [
  { type: "text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }
]

/** One line an agent can scan: how many calls to which tools, how many failed or were denied. */
export const summarizeCalls = (outcome: Pick<ExecuteOutcome, "toolCalls">): string => {
  const calls = outcome.toolCalls
  if (calls.length === 0) return "no tool calls"
  const counts = new Map<string, number>()
  for (const c of calls) counts.set(`${c.server}.${c.tool}`, (counts.get(`${c.server}.${c.tool}`) ?? 0) + 1)
  const failed = calls.filter((c) => c.outcome === "error").length
  const denied = calls.filter((c) => c.outcome === "denied").length
  const list = [...counts].map(([k, n]) => (n > 1 ? `${k}×${n}` : k)).join(", ")
  return `${calls.length} tool call${calls.length === 1 ? "" : "s"} (${list})${failed ? `, ${failed} failed` : ""}${denied ? `, ${denied} denied` : ""}`
}

const decode =
  <S extends Schema.Top>(schema: S, tool: string) =>
  (args: unknown) =>
    Schema.decodeUnknownEffect(schema)(args ?? {}).pipe(
      Effect.mapError((e) => ({
        _tag: "BadArguments" as const,
        message: `Invalid arguments for ${tool}: ${e.message}`
      }))
    )

/** Answers one tools/call of the gateway. Failures become `isError` results the model can read. */
export const handleCall = Effect.fn("gateway.call")(function* (name: string, args: unknown) {
  const codeMode = yield* CodeMode
  const run = Effect.gen(function* () {
    switch (name) {
      case "search_tools": {
        const a = yield* decode(SearchArgs, name)(args)
        const hits = yield* codeMode.searchTools(a.query, {
          ...(a.detail ? { detail: a.detail } : {}),
          ...(a.limit ? { limit: a.limit } : {})
        })
        if (a.detail === "full") {
          return { content: text(hits.map((h) => `// ${h.path}\n${h.source ?? ""}`).join("\n\n")) }
        }
        return { content: text(hits) }
      }
      case "read_api": {
        const a = yield* decode(ReadArgs, name)(args)
        return { content: text(yield* codeMode.readApi(a.path)) }
      }
      case "execute": {
        const a = yield* decode(ExecuteArgs, name)(args)
        const outcome = yield* codeMode.execute(a.code)
        const logs = outcome.logs.map((l) => `[${l.level}] ${l.message}`).join("\n")
        return {
          content: text(
            [
              `value: ${JSON.stringify(outcome.value, null, 2) ?? "undefined"}`,
              logs ? `logs:\n${logs}` : "",
              `${summarizeCalls(outcome)}; ${Math.round(outcome.durationMs)} ms${outcome.truncated ? "; output truncated" : ""}`
            ]
              .filter((s) => s !== "")
              .join("\n")
          ),
          structuredContent: {
            value: outcome.value as never,
            logs: outcome.logs as never,
            toolCalls: outcome.toolCalls as never,
            durationMs: outcome.durationMs,
            truncated: outcome.truncated
          }
        }
      }
      case "save_skill": {
        const a = yield* decode(SaveArgs, name)(args)
        const saved = yield* codeMode.saveSkill({
          name: a.name,
          description: a.description,
          code: a.code,
          ...(a.tags ? { tags: a.tags } : {})
        })
        return {
          content: text(
            `saved skill ${saved.name} v${saved.version}; import it from ./skills/${saved.name}/index.ts`
          )
        }
      }
      case "list_skills": {
        const a = yield* decode(ListArgs, name)(args)
        return { content: text(yield* codeMode.listSkills(a.query)) }
      }
      default:
        return yield* Effect.fail({
          _tag: "UnknownTool" as const,
          message: `Unknown tool "${name}". This gateway offers: ${tools.map((t) => t.name).join(", ")}.`
        })
    }
  })
  return yield* run.pipe(
    Effect.catch((error: { readonly message: string }) =>
      Effect.succeed<CallToolResult>({ isError: true, content: text(error.message) })
    )
  )
})

/** A low-level MCP server answering with the CodeMode service in context. */
export const makeServer = Effect.fnUntraced(function* () {
  return serverFor(yield* Effect.context<CodeMode>())
})

const serverFor = (context: Context.Context<CodeMode>): Server => {
  const server = new Server(serverInfo, { capabilities: { tools: {} }, instructions })
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...tools] }))
  // Calls the policy marks "approve" are put to the person at the client, when it can be asked.
  const approver = (call: Policy.CallRequest) =>
    Effect.promise(() =>
      server
        .elicitInput({
          message: `Allow the code to call ${call.server}/${call.tool}?`,
          requestedSchema: {
            type: "object",
            properties: { approve: { type: "boolean", title: `Allow ${call.server}/${call.tool}` } },
            required: ["approve"]
          }
        })
        .then((r) => r.action === "accept" && r.content?.approve === true)
        .catch(() => false)
    )
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const canAsk = server.getClientCapabilities()?.elicitation !== undefined
    const exit = await Effect.runPromiseExitWith(context)(
      handleCall(request.params.name, request.params.arguments).pipe(
        canAsk ? Effect.provideService(Policy.Approver, approver) : (self) => self
      ),
      { signal: extra.signal }
    )
    if (Exit.isSuccess(exit)) return exit.value
    return { isError: true, content: text(`Internal error: ${Cause.pretty(exit.cause)}`) }
  })
  return server
}

/** Serves the gateway on stdin/stdout until the scope closes. */
export const serveStdio = Effect.fnUntraced(function* () {
  const server = yield* makeServer()
  const transport = new StdioServerTransport()
  yield* Effect.acquireRelease(
    Effect.promise(() => server.connect(transport)),
    () => Effect.promise(() => server.close())
  )
})

export interface HttpGateway {
  readonly url: string
  readonly port: number
}

export class GatewayListenError extends Schema.TaggedError<GatewayListenError>()("GatewayListenError", {
  host: Schema.String,
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `Cannot listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

/**
 * Serves the gateway over Streamable HTTP at `/mcp`, one MCP session per client, with DNS-rebinding
 * protection (only Host headers naming this address are accepted). Port 0 picks a free port.
 */
export const serveHttp = Effect.fnUntraced(function* (options: {
  readonly host?: string
  readonly port?: number
  /**
   * A CodeMode of its own for each MCP session (own workspace, own PII tokens), built in a scope
   * that closes with the session. Without it every client shares the CodeMode in context.
   */
  readonly perSession?: (sessionId: string) => Effect.Effect<CodeMode["Service"], unknown, Scope.Scope>
}): Effect.fn.Return<HttpGateway, GatewayListenError, CodeMode | Scope.Scope> {
  const host = options.host ?? "127.0.0.1"
  const context = yield* Effect.context<CodeMode>()
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  const sessionScopes = new Map<string, Scope.Closeable>()
  const closeSession = (id: string | undefined) => {
    const scope = id === undefined ? undefined : sessionScopes.get(id)
    if (id === undefined || scope === undefined) return Promise.resolve()
    sessionScopes.delete(id)
    return Effect.runPromise(Scope.close(scope, Exit.void))
  }
  let allowedHosts: Array<string> = []

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404).end("Not found: the MCP endpoint is /mcp")
      return
    }
    const sessionId = req.headers["mcp-session-id"]
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined
    if (existing) return existing.handleRequest(req, res)
    if (sessionId !== undefined) {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(
        JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null })
      )
      return
    }
    const id = randomUUID()
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (sid) => {
        sessions.set(sid, transport)
      }
    })
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId)
      void closeSession(id)
    }
    let sessionContext = context
    if (options.perSession) {
      const scope = await Effect.runPromise(Scope.make())
      sessionScopes.set(id, scope)
      const codeMode = await Effect.runPromise(
        options.perSession(id).pipe(Effect.provideService(Scope.Scope, scope))
      )
      sessionContext = Context.add(context, CodeMode, codeMode)
    }
    const server = serverFor(sessionContext)
    await server.connect(transport)
    await transport.handleRequest(req, res)
    // A request that did not start a session (bad Host header, not an initialize) leaves nothing behind.
    if (transport.sessionId === undefined) {
      await server.close()
      await closeSession(id)
    }
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500).end(String(e))
    })
  })
  const port = yield* Effect.callback<number, GatewayListenError>((resume) => {
    http.once("error", (e) =>
      resume(Effect.fail(new GatewayListenError({ host, port: options.port ?? 0, reason: e.message })))
    )
    http.listen(options.port ?? 0, host, () => resume(Effect.succeed((http.address() as AddressInfo).port)))
  })
  allowedHosts = [`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]
  yield* Effect.addFinalizer(() =>
    Effect.promise(async () => {
      await Promise.all([...sessions.values()].map((t) => t.close()))
      await Promise.all([...sessionScopes.keys()].map(closeSession))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    })
  )
  return { url: `http://${host}:${port}/mcp`, port }
})
