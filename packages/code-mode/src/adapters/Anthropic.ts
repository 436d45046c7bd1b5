/**
 * Code mode for the Anthropic Messages API without an SDK adapter: `tools` goes in the request's
 * `tools`, and `handle(session, block)` answers each `tool_use` block of the reply with the
 * `tool_result` block to send back. Entry point: `@tta/code-mode/anthropic`.
 */
import { Effect } from "effect"
import type { CodeMode } from "../CodeMode.ts"
import type { Handle } from "./Handle.ts"
import * as Tools from "./Tools.ts"

export { fromRuntime, type Handle, open } from "./Handle.ts"
export { instructions } from "./Tools.ts"

export interface ToolDefinition {
  readonly name: Tools.ToolName
  readonly description: string
  readonly input_schema: Record<string, unknown>
}

/** A `tool_use` content block of an assistant message. */
export interface ToolUseBlock {
  readonly type: "tool_use"
  readonly id: string
  readonly name: string
  readonly input: unknown
}

/** The `tool_result` content block that answers it (in the next user message). */
export interface ToolResultBlock {
  readonly type: "tool_result"
  readonly tool_use_id: string
  readonly content: string
  readonly is_error?: true
}

export const tools: ReadonlyArray<ToolDefinition> = Tools.names.map((name) => ({
  name,
  description: Tools.definitions[name].description,
  input_schema: Tools.jsonSchema(name)
}))

// Compact JSON: indentation costs a model ~40% more tokens and tells it nothing.
const text = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content))

/** `handle` for Effect code that has the CodeMode service at hand (no runtime round trip). */
export const handleEffect = (
  codeMode: CodeMode["Service"],
  block: ToolUseBlock
): Effect.Effect<ToolResultBlock> =>
  Effect.map(Tools.call(codeMode, block.name, block.input), (result) => ({
    type: "tool_result",
    tool_use_id: block.id,
    content: text(result.content),
    ...(result.ok ? {} : { is_error: true as const })
  }))

/** Runs one `tool_use` block on the session; failures come back as `is_error` results, never thrown. */
export const handle = (session: Handle, block: ToolUseBlock): Promise<ToolResultBlock> =>
  session.run(handleEffect(session.codeMode, block))
