/**
 * `--llm`: the same triage done by a real model through code mode's tools. A small agent loop over
 * Anthropic's Messages API with fetch, on @tta/code-mode/anthropic: its `tools` go in every
 * request, its `instructions` in `system`, and its `handleEffect` answers each `tool_use` block
 * with the `tool_result` to send back (a failure comes back as `is_error`, never thrown). Repeat
 * until the model ends its turn. `ANTHROPIC_BASE_URL` is honoured (the tests point it at a local
 * scripted stand-in: no model runs in the tests, and the real API has not been run live here).
 */
import { CodeMode } from "@tta/code-mode"
import * as Anthropic from "@tta/code-mode/anthropic"
import { retry, step, type TimeoutError, timeout } from "@tta/core"
import { Clock, Effect, Schema } from "effect"

export class LlmError extends Schema.TaggedError<LlmError>()("LlmError", {
  status: Schema.optional(Schema.Number),
  retryable: Schema.Boolean,
  message: Schema.String
}) {}

export type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: unknown }
  | {
      readonly type: "tool_result"
      readonly tool_use_id: string
      readonly content: string
      readonly is_error?: boolean
    }

export interface Message {
  readonly role: "user" | "assistant"
  readonly content: string | ReadonlyArray<ContentBlock>
}

export interface MessagesResponse {
  readonly id: string
  readonly content: ReadonlyArray<ContentBlock>
  readonly stop_reason: string | null
  readonly usage?: { readonly input_tokens: number; readonly output_tokens: number }
}

export interface LlmOptions {
  readonly apiKey: string
  /** Default: `ANTHROPIC_BASE_URL`, else https://api.anthropic.com */
  readonly baseUrl?: string | undefined
  /** Default: `ANTHROPIC_MODEL`, else claude-sonnet-4-5 */
  readonly model?: string | undefined
  readonly maxTurns?: number | undefined
  readonly maxTokens?: number | undefined
  /** Called after every turn (for progress output). */
  readonly onTurn?: ((turn: Turn) => void) | undefined
}

export interface ToolUse {
  readonly name: string
  readonly input: unknown
  readonly isError: boolean
  readonly durationMs: number
  /** The first characters of what went back to the model. */
  readonly preview: string
}

export interface Turn {
  readonly index: number
  readonly stopReason: string | null
  readonly text: string
  readonly toolUses: ReadonlyArray<ToolUse>
}

export interface AgentRun {
  readonly model: string
  readonly text: string
  readonly turns: ReadonlyArray<Turn>
  readonly stopReason: string | null
  /** As the API reported it (its own tokenizer), summed over the turns. */
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number }
}

/** The code-mode tools as the Messages API takes them (the adapter's definitions). */
export const apiTools = Anthropic.tools

export const triageTask = (reportDir: string) =>
  [
    "You are on call. Triage the current incident using the metrics, docs, filesystem, memory and everything MCP servers (reachable through code mode).",
    "1. Find each service's error rate now, and its peak over the last day (query_range at 60s steps; reduce the data inside your code, never return raw series).",
    "2. Severity: critical if the error rate is above 10% now, warning above 5% now, resolved if it peaked above 5% earlier but is below now.",
    "3. For critical services, confirm with the metrics server's flaky_check tool (it fails a couple of times first: retry).",
    "4. Look up a runbook about retries and circuit breakers with the docs server.",
    `5. Write a markdown report to ${reportDir}/incident-llm.md with the filesystem server, and record an entity "incident-llm" (entityType incident) with relations to the affected services in the memory server.`,
    "Answer with one line per service that is not ok: service, severity, why."
  ].join("\n")

const textOf = (content: ReadonlyArray<ContentBlock>) =>
  content
    .filter((b): b is Extract<ContentBlock, { type: "text" }> => b.type === "text")
    .map((b) => b.text)
    .join("\n")

/** One Messages API request, retried on overload (429, 5xx) and bounded in time. */
const messages = (options: LlmOptions) => {
  const baseUrl = (options.baseUrl ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com").replace(
    /\/$/,
    ""
  )
  return step("messages", (body: unknown) =>
    Effect.tryPromise({
      try: async (signal) => {
        const res = await fetch(`${baseUrl}/v1/messages`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-api-key": options.apiKey,
            "anthropic-version": "2023-06-01"
          },
          body: JSON.stringify(body),
          signal
        })
        const text = await res.text()
        if (!res.ok) {
          let detail = text.slice(0, 500)
          try {
            detail = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? detail
          } catch {}
          throw new LlmError({
            status: res.status,
            retryable: res.status === 429 || res.status >= 500,
            message: `Messages API ${res.status} at ${baseUrl}/v1/messages: ${detail}`
          })
        }
        return JSON.parse(text) as MessagesResponse
      },
      catch: (e) =>
        e instanceof LlmError
          ? e
          : new LlmError({ retryable: true, message: `Messages API at ${baseUrl} unreachable: ${String(e)}` })
    })
  ).pipe(
    timeout("180 seconds"),
    retry({
      times: 3,
      backoff: { base: "1 second", max: "20 seconds" },
      while: (e) => e._tag !== "LlmError" || e.retryable
    })
  )
}

/** Runs the task with a model until it ends its turn (or `maxTurns`). */
export const runAgent: (
  task: string,
  options: LlmOptions
) => Effect.Effect<AgentRun, LlmError | TimeoutError, CodeMode.CodeMode> = Effect.fn("llm.agent")(function* (
  task: string,
  options: LlmOptions
) {
  const model = options.model ?? process.env.ANTHROPIC_MODEL ?? "claude-sonnet-4-5"
  const codeMode = yield* CodeMode.CodeMode
  const call = messages(options)
  const history: Array<Message> = [{ role: "user", content: task }]
  const turns: Array<Turn> = []
  let inputTokens = 0
  let outputTokens = 0
  for (let index = 1; index <= (options.maxTurns ?? 25); index++) {
    const response = yield* call.run({
      model,
      max_tokens: options.maxTokens ?? 4096,
      system: Anthropic.instructions,
      tools: apiTools,
      messages: history
    })
    inputTokens += response.usage?.input_tokens ?? 0
    outputTokens += response.usage?.output_tokens ?? 0
    history.push({ role: "assistant", content: response.content })
    const uses = response.content.filter(
      (b): b is Extract<ContentBlock, { type: "tool_use" }> => b.type === "tool_use"
    )
    const results: Array<ContentBlock> = []
    const toolUses: Array<ToolUse> = []
    for (const use of uses) {
      const started = yield* Clock.currentTimeMillis
      const result = yield* Anthropic.handleEffect(codeMode, use)
      results.push(result)
      toolUses.push({
        name: use.name,
        input: use.input,
        isError: result.is_error === true,
        durationMs: (yield* Clock.currentTimeMillis) - started,
        preview: result.content.slice(0, 200)
      })
    }
    const turn: Turn = { index, stopReason: response.stop_reason, text: textOf(response.content), toolUses }
    turns.push(turn)
    options.onTurn?.(turn)
    if (response.stop_reason !== "tool_use" || uses.length === 0) {
      return {
        model,
        text: turn.text,
        turns,
        stopReason: response.stop_reason,
        usage: { inputTokens, outputTokens }
      } satisfies AgentRun
    }
    history.push({ role: "user", content: results })
  }
  return yield* new LlmError({
    retryable: false,
    message: `the model did not finish within ${options.maxTurns ?? 25} turns`
  })
})
