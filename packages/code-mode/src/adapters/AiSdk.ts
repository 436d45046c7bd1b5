/**
 * Code mode as Vercel AI SDK tools: `codeModeTools(handle)` gives `search_tools`, `read_api` and
 * `execute` for `generateText`, `streamText` and agents. `ai` (7) is an optional peer dependency,
 * loaded only through this entry point, `@tta/code-mode/ai-sdk`.
 */
import { jsonSchema, type Tool, tool } from "ai"
import type { Handle } from "./Handle.ts"
import * as Tools from "./Tools.ts"

export { fromRuntime, type Handle, open } from "./Handle.ts"
export { instructions } from "./Tools.ts"

export type CodeModeTools = { readonly [K in Tools.ToolName]: Tool<unknown, unknown> }

/**
 * The session's tools for the AI SDK. Each returns what the model should read: the search hits,
 * the file's source, or the execution's value, logs and tool calls; a failure (a type error in the
 * agent's code, a denied call) is returned as `{ error, message }` for the model to act on.
 */
export const codeModeTools = (handle: Handle): CodeModeTools => {
  const make = (name: Tools.ToolName) =>
    tool({
      description: Tools.definitions[name].description,
      inputSchema: jsonSchema<unknown>(Tools.jsonSchema(name)),
      execute: async (input, { abortSignal }) => {
        const result = await handle.run(
          Tools.call(handle.codeMode, name, input),
          abortSignal === undefined ? undefined : { signal: abortSignal }
        )
        return result.content
      }
    })
  return { search_tools: make("search_tools"), read_api: make("read_api"), execute: make("execute") }
}
