/**
 * Downstream tools a config names as `direct` (`"server/tool"`, `"server/*"`): offered beside the
 * gateway's own tools and passed through unchanged (definition, content, structuredContent, errors,
 * progress), still under the session's policy and PII tokenization. A tool keeps its own name
 * unless a gateway tool or another direct tool has it; then it is `<server>__<tool>`.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js"
import type { ToolCatalog } from "@tta/codegen"
import type { CallOptions, McpHub } from "@tta/mcp"
import { Clock, Effect, Glob } from "effect"
import type { CodeModeError, ToolCallRecord } from "./CodeMode.ts"
import * as Tools from "./gateway/Tools.ts"
import { errorText } from "./HostCalls.ts"
import type * as Pii from "./Pii.ts"
import * as Policy from "./Policy.ts"

export interface Deps {
  readonly patterns: ReadonlyArray<string>
  readonly hub: McpHub["Service"]
  readonly policy: Policy.Policy
  readonly tokenizer: Pii.Tokenizer | undefined
  readonly approve: ((request: Policy.CallRequest) => Effect.Effect<boolean>) | undefined
  readonly catalog: Effect.Effect<ToolCatalog, CodeModeError>
  readonly record: (call: ToolCallRecord) => void
  /** Accounts a call that reached its server, with the result as the client receives it. */
  readonly account: (
    server: string,
    tool: string,
    name: string,
    args: unknown,
    result: CallToolResult
  ) => void
}

interface Entry {
  readonly server: string
  /** The tool's own name at its server. */
  readonly name: string
  /** Its definition as the client sees it. */
  readonly tool: Tool
}

/** PII in a result's text and structured content (binary data is left alone). */
const tokenizeResult = (tokenizer: Pii.Tokenizer, result: CallToolResult): CallToolResult => ({
  ...result,
  content: result.content.map((c) =>
    c.type === "text" ? { ...c, text: tokenizer.tokenize(c.text) as string } : c
  ),
  ...(result.structuredContent === undefined
    ? {}
    : { structuredContent: tokenizer.tokenize(result.structuredContent) as Record<string, unknown> })
})

const errorResult = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] })

export const make = (deps: Deps) => {
  const globs = deps.patterns.map((p) => Glob.make(p, { dot: true }))
  const gatewayNames = new Set<string>(Tools.names)

  /** The direct tools of the catalog, by the name the client sees. */
  const table = Effect.map(deps.catalog, (catalog) => {
    const byName = new Map<string, Entry>()
    for (const server of catalog.servers) {
      for (const tool of server.tools as ReadonlyArray<Tool>) {
        if (!globs.some((g) => Glob.match(g, `${server.name}/${tool.name}`))) continue
        const name =
          gatewayNames.has(tool.name) || byName.has(tool.name) ? `${server.name}__${tool.name}` : tool.name
        byName.set(name, { server: server.name, name: tool.name, tool: { ...tool, name } })
      }
    }
    return byName
  })

  const list = () =>
    globs.length === 0 ? Effect.succeed([]) : Effect.map(table, (t) => [...t.values()].map((e) => e.tool))

  /** Calls a direct tool; `undefined` when no direct tool has that name. */
  const call = (name: string, args: unknown, options: { readonly onProgress?: CallOptions["onProgress"] }) =>
    Effect.gen(function* () {
      if (globs.length === 0) return undefined
      const entry = (yield* table).get(name)
      if (entry === undefined) return undefined
      const server = entry.server
      const tool = entry.name
      const clock = yield* Clock.Clock
      const started = clock.currentTimeMillisUnsafe()
      const record = (outcome: ToolCallRecord["outcome"], error?: string) =>
        deps.record({
          server,
          tool,
          ok: outcome === "ok",
          outcome,
          durationMs: clock.currentTimeMillisUnsafe() - started,
          ...(error === undefined ? {} : { error })
        })
      const request = { server, tool, args, annotations: entry.tool.annotations }
      const denied = yield* Policy.decide(deps.policy, request, deps.approve)
      if (denied !== undefined) {
        record("denied", denied.message)
        return errorResult(denied.message)
      }
      const tokenizer = deps.tokenizer
      const input = tokenizer ? tokenizer.untokenize(args) : args
      const result = yield* deps.hub
        .callToolResult(server, tool, input, options.onProgress ? { onProgress: options.onProgress } : {})
        .pipe(
          Effect.map((r) => (tokenizer ? tokenizeResult(tokenizer, r) : r)),
          Effect.catch((e) => {
            const message = errorText(e)
            return Effect.succeed(errorResult(tokenizer ? (tokenizer.tokenize(message) as string) : message))
          })
        )
      record(result.isError === true ? "error" : "ok")
      deps.account(server, tool, name, args, result)
      return result
    })

  return { list, call }
}
