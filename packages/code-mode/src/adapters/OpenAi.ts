/**
 * Code mode for OpenAI function calling without an SDK adapter: `tools` goes in a Chat Completions
 * request (`responsesTools` in a Responses API request), and `handle(session, call)` answers one
 * tool call with the message (Chat Completions) or input item (Responses) to send back.
 * Entry point: `@tta/code-mode/openai`.
 */
import type { Handle } from "./Handle.ts"
import * as Tools from "./Tools.ts"

export { fromRuntime, type Handle, open } from "./Handle.ts"
export { instructions } from "./Tools.ts"

/** Chat Completions: `{ type: "function", function: { name, description, parameters } }`. */
export interface ChatTool {
  readonly type: "function"
  readonly function: {
    readonly name: Tools.ToolName
    readonly description: string
    readonly parameters: Record<string, unknown>
  }
}

/** Responses API: `{ type: "function", name, description, parameters, strict }`. */
export interface ResponsesTool {
  readonly type: "function"
  readonly name: Tools.ToolName
  readonly description: string
  readonly parameters: Record<string, unknown>
  readonly strict: false
}

/** A Chat Completions tool call (`message.tool_calls[i]`): arguments are a JSON string. */
export interface ChatToolCall {
  readonly id: string
  readonly type: "function"
  readonly function: { readonly name: string; readonly arguments: string }
}

/** A Responses API `function_call` output item. */
export interface ResponsesFunctionCall {
  readonly type: "function_call"
  readonly call_id: string
  readonly name: string
  readonly arguments: string
}

export interface ChatToolMessage {
  readonly role: "tool"
  readonly tool_call_id: string
  readonly content: string
}

export interface ResponsesFunctionCallOutput {
  readonly type: "function_call_output"
  readonly call_id: string
  readonly output: string
}

export const tools: ReadonlyArray<ChatTool> = Tools.names.map((name) => ({
  type: "function",
  function: { name, description: Tools.definitions[name].description, parameters: Tools.jsonSchema(name) }
}))

export const responsesTools: ReadonlyArray<ResponsesTool> = Tools.names.map((name) => ({
  type: "function",
  name,
  description: Tools.definitions[name].description,
  parameters: Tools.jsonSchema(name),
  // Strict mode needs every property required and no additional ones; these have optional ones.
  strict: false
}))

// Compact JSON: indentation costs a model ~40% more tokens and tells it nothing.
const text = (content: unknown) => (typeof content === "string" ? content : JSON.stringify(content))

// The model's arguments are a JSON string; one that does not parse is reported to the model.
const run = async (session: Handle, name: string, args: string) => {
  let input: unknown
  try {
    input = JSON.parse(args)
  } catch {
    return text({
      error: "InvalidInput",
      message: `${name}: arguments are not valid JSON: ${args.slice(0, 200)}`
    })
  }
  return text((await session.run(Tools.call(session.codeMode, name, input))).content)
}

/** Runs one tool call on the session and returns what answers it; failures are answers too. */
export function handle(session: Handle, call: ChatToolCall): Promise<ChatToolMessage>
export function handle(session: Handle, call: ResponsesFunctionCall): Promise<ResponsesFunctionCallOutput>
export async function handle(
  session: Handle,
  call: ChatToolCall | ResponsesFunctionCall
): Promise<ChatToolMessage | ResponsesFunctionCallOutput> {
  if (call.type === "function_call") {
    return {
      type: "function_call_output",
      call_id: call.call_id,
      output: await run(session, call.name, call.arguments)
    }
  }
  return {
    role: "tool",
    tool_call_id: call.id,
    content: await run(session, call.function.name, call.function.arguments)
  }
}
