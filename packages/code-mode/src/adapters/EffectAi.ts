/**
 * Code mode as an Effect AI toolkit (`effect/ai`, inside effect 4.1): `CodeModeToolkit` holds
 * `search_tools`, `read_api` and `execute` as `Tool`s whose parameters are the adapters' Schemas,
 * and `layer` implements them on the `CodeMode` service in context. Pass the toolkit to
 * `LanguageModel.generateText({ prompt, toolkit: CodeModeToolkit })`. Entry point:
 * `@tta/code-mode/effect-ai`.
 */
import { Effect, Schema } from "effect"
import { Tool, Toolkit } from "effect/ai"
import { CodeMode } from "../CodeMode.ts"
import * as Tools from "./Tools.ts"

export { instructions } from "./Tools.ts"

// Failures are returned to the model as results (failureMode "return"): it reads what went wrong
// (a type error, a denied call) and tries again, instead of the generation failing.
const tool = <const Name extends Tools.ToolName>(name: Name) =>
  Tool.make(name, {
    description: Tools.definitions[name].description,
    parameters: Tools.definitions[name].input as (typeof Tools.definitions)[Name]["input"],
    success: Schema.Unknown,
    failure: Schema.Unknown,
    failureMode: "return"
  })

export const SearchTools = tool("search_tools")
export const ReadApi = tool("read_api")
export const Execute = tool("execute")

export const CodeModeToolkit = Toolkit.make(SearchTools, ReadApi, Execute)

const handler =
  (codeMode: CodeMode["Service"], name: Tools.ToolName) =>
  (params: unknown): Effect.Effect<unknown, unknown> =>
    Effect.flatMap(Tools.call(codeMode, name, params), (result) =>
      result.ok ? Effect.succeed(result.content) : Effect.fail(result.content)
    )

/** The toolkit's handlers, on the session's `CodeMode` service. */
export const layer = CodeModeToolkit.toLayer(
  Effect.map(Effect.service(CodeMode), (codeMode) =>
    CodeModeToolkit.of({
      search_tools: handler(codeMode, "search_tools"),
      read_api: handler(codeMode, "read_api"),
      execute: handler(codeMode, "execute")
    })
  )
)
