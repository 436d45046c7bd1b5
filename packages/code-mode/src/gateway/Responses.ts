/**
 * What each gateway tool answers, as the client receives it: the text a model reads and, for
 * execute, the structured copy. Kept apart from the handlers so the session's token account counts
 * exactly what a client receives.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { ExecuteOutcome, SearchHit } from "../CodeMode.ts"

/** A value as one text block: strings as they are, anything else as indented JSON. */
export const text = (value: unknown): CallToolResult => ({
  content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }]
})

export const error = (message: string): CallToolResult => ({ ...text(message), isError: true })

export const search = (hits: ReadonlyArray<SearchHit>, detail: string | undefined): CallToolResult =>
  detail === "full" ? text(hits.map((h) => `// ${h.path}\n${h.source ?? ""}`).join("\n\n")) : text(hits)

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

/** execute's answer: the value, the console output and the call summary, as text and structured. */
export const execute = (outcome: ExecuteOutcome, _options: { readonly verbose: boolean }): CallToolResult => {
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
    ).content,
    structuredContent: {
      value: outcome.value as never,
      logs: outcome.logs as never,
      toolCalls: outcome.toolCalls as never,
      durationMs: outcome.durationMs,
      truncated: outcome.truncated
    }
  }
}
