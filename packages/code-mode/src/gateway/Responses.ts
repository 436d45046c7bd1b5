/**
 * What each gateway tool answers, as the client receives it: the text a model reads and, for
 * execute, the structured copy. Kept apart from the handlers so the session's token account counts
 * exactly what a client receives.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { Schema } from "effect"
import { type ExecuteOutcome, type SearchHit, ToolCallRecord } from "../CodeMode.ts"

/**
 * A value as one text block: strings as they are, anything else as compact JSON (a model reads it
 * as well as indented JSON, and indentation costs ~40% more tokens: bench/definitions.ts prints it).
 */
export const text = (value: unknown): CallToolResult => ({
  content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }]
})

export const error = (message: string): CallToolResult => ({ ...text(message), isError: true })

/**
 * search_tools' answer: the files' source for `full`, one line per tool (its call, then its file)
 * for `signature`, else the hits as JSON.
 */
export const search = (hits: ReadonlyArray<SearchHit>, detail: string | undefined): CallToolResult =>
  detail === "full"
    ? text(hits.map((h) => `// ${h.path}\n${h.source ?? ""}`).join("\n\n"))
    : detail === "signature"
      ? text(hits.map((h) => `${h.signature ?? `${h.server}/${h.tool}`}  // ${h.path}`).join("\n"))
      : text(hits)

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

/** One line per server/tool in execute's structured answer. */
export const CallSummary = Schema.Struct({
  server: Schema.String,
  tool: Schema.String,
  count: Schema.Int,
  failures: Schema.Int.annotate({ description: "Calls that failed or were denied by policy" }),
  totalMs: Schema.Number
})
export type CallSummary = typeof CallSummary.Type

/** execute's structuredContent; its outputSchema is derived from this. */
export const ExecuteOutput = Schema.Struct({
  value: Schema.optionalKey(Schema.Unknown).annotate({ description: "What the code exported as default" }),
  logs: Schema.Array(
    Schema.Struct({
      level: Schema.Literals(["log", "info", "warn", "error", "debug"]),
      message: Schema.String
    })
  ),
  calls: Schema.Array(CallSummary).annotate({ description: "Tool calls the code made, per server/tool" }),
  durationMs: Schema.Number,
  truncated: Schema.Boolean,
  toolCalls: Schema.optionalKey(
    Schema.Array(ToolCallRecord).annotate({ description: "Every call's record, with verbose: true" })
  )
})
export type ExecuteOutput = typeof ExecuteOutput.Type

/** Calls grouped per server/tool, in the order each was first called. */
export const callSummary = (calls: ExecuteOutcome["toolCalls"]): Array<CallSummary> => {
  const groups = new Map<
    string,
    { server: string; tool: string; count: number; failures: number; totalMs: number }
  >()
  for (const c of calls) {
    const key = `${c.server}/${c.tool}`
    const g = groups.get(key) ?? { server: c.server, tool: c.tool, count: 0, failures: 0, totalMs: 0 }
    g.count++
    if (!c.ok) g.failures++
    g.totalMs += c.durationMs
    groups.set(key, g)
  }
  return [...groups.values()].map((g) => ({ ...g, totalMs: Math.round(g.totalMs * 10) / 10 }))
}

type Block = CallToolResult["content"][number]

const isBlock = (v: unknown): v is Block => {
  if (typeof v !== "object" || v === null) return false
  const b = v as Record<string, unknown>
  switch (b.type) {
    case "text":
      return typeof b.text === "string"
    case "image":
    case "audio":
      return typeof b.data === "string" && typeof b.mimeType === "string"
    case "resource":
      return (
        typeof b.resource === "object" &&
        b.resource !== null &&
        typeof (b.resource as { uri?: unknown }).uri === "string"
      )
    case "resource_link":
      return typeof b.uri === "string" && typeof b.name === "string"
    default:
      return false
  }
}

/**
 * Content blocks the code returned (made with ./content.ts, or a downstream result's content as is):
 * one block that is not text, or a list of blocks with at least one that is not text.
 */
export const contentBlocks = (value: unknown): ReadonlyArray<Block> | undefined => {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0 || !list.every(isBlock) || list.every((b) => b.type === "text")) return undefined
  return list
}

/** The module mounted at `./content.ts`: content blocks code can return to the client. */
export const contentModule = `/** Content blocks: return one (or a list) with \`export default\` and the client receives it as is. */
export interface ImageContent { type: "image"; data: string; mimeType: string }
export interface AudioContent { type: "audio"; data: string; mimeType: string }
export interface TextContent { type: "text"; text: string }
export interface EmbeddedResource {
  type: "resource"
  resource: { uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string }
}
/** An image from base64 data. */
export const image = (data: string, mimeType: string): ImageContent => ({ type: "image", data, mimeType })
/** Audio from base64 data. */
export const audio = (data: string, mimeType: string): AudioContent => ({ type: "audio", data, mimeType })
export const text = (text: string): TextContent => ({ type: "text", text })
/** A resource embedded whole: give its text, or its base64 \`blob\`. */
export const resource = (
  uri: string,
  body: { text: string; mimeType?: string } | { blob: string; mimeType?: string }
): EmbeddedResource => ({ type: "resource", resource: { uri, ...body } })
`

/** An execution as execute's structured answer (per-call records only when asked for with `verbose`). */
export const executeOutput = (
  outcome: ExecuteOutcome,
  options: { readonly verbose: boolean }
): ExecuteOutput => ({
  ...(outcome.value === undefined ? {} : { value: outcome.value }),
  logs: outcome.logs,
  calls: callSummary(outcome.toolCalls),
  durationMs: outcome.durationMs,
  truncated: outcome.truncated,
  ...(options.verbose ? { toolCalls: outcome.toolCalls } : {})
})

/**
 * execute's answer: the value, the console output and the call summary as text, and the same as
 * structured content (per-call records only when asked for with `verbose`).
 */
export const execute = (outcome: ExecuteOutcome, options: { readonly verbose: boolean }): CallToolResult => {
  const logs = outcome.logs.map((l) => `[${l.level}] ${l.message}`).join("\n")
  const blocks = contentBlocks(outcome.value)
  const output = executeOutput(outcome, options)
  const { value: _blocks, ...withoutValue } = output
  // Blocks go to the client as content, not again as (base64) data here.
  const structured: ExecuteOutput = blocks === undefined ? output : withoutValue
  const valueLine =
    blocks === undefined
      ? `value: ${JSON.stringify(outcome.value) ?? "undefined"}`
      : `value: ${blocks.length} content block${blocks.length === 1 ? "" : "s"} (${blocks.map((b) => ("mimeType" in b && typeof b.mimeType === "string" ? b.mimeType : b.type)).join(", ")})`
  return {
    content: [
      ...text(
        [
          valueLine,
          logs ? `logs:\n${logs}` : "",
          `${summarizeCalls(outcome)}; ${Math.round(outcome.durationMs)} ms${outcome.truncated ? "; output truncated" : ""}`
        ]
          .filter((s) => s !== "")
          .join("\n")
      ).content,
      ...(blocks ?? [])
    ],
    structuredContent: structured as Record<string, unknown>
  }
}
