/** The config file as the subcommands read it: `mcpServers` plus the `codeMode` section, into a Stack. */
import type { McpConfigError } from "@tta/mcp"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stack from "../../Stack.ts"
import * as TypeScriptApi from "../../TypeScriptApi.ts"
import { progress } from "../Output.ts"
import { dieWithTta } from "./ParentDeath.ts"

/** Reads the config and says on stderr which servers it names; its stdio servers die with tta. */
export const loadConfig = (path: string): Effect.Effect<Stack.StackConfig, McpConfigError> =>
  Effect.gen(function* () {
    const loaded = yield* Stack.load(path)
    const names = Object.keys(loaded.mcp.mcpServers)
    yield* progress(
      `config ${path}: ${names.length} server${names.length === 1 ? "" : "s"} (${names.join(", ")})`
    )
    return { ...loaded, mcp: dieWithTta(loaded.mcp) }
  })

/** Stack options from the config's `codeMode` section, explicit ones on top. */
export const stackOptions = (
  loaded: Stack.StackConfig,
  dir: string,
  extra: Partial<Stack.StackOptions> = {}
): Stack.StackOptions => ({
  dir,
  policy: loaded.codeMode.policy as Stack.StackOptions["policy"],
  pii: loaded.codeMode.pii,
  typeCheck: loaded.codeMode.typeCheck,
  sandbox: loaded.codeMode.sandbox,
  learnTypes: loaded.codeMode.learnTypes,
  direct: loaded.codeMode.direct,
  ...extra
})

/**
 * One stderr line when type-checking is left to its default and no TypeScript with the compiler
 * API is installed (an optional peer dependency): the code then runs unchecked, and the user
 * should know why and what to install.
 */
export const typeCheckNotice = (options: Stack.StackOptions) =>
  options.typeCheck === undefined && !TypeScriptApi.available()
    ? progress(
        `tta: type-checking is off, agent code runs unchecked: no TypeScript 5.9+ installed; ${TypeScriptApi.peer.install}`
      )
    : Effect.void

/** The whole stack from a config file. */
export const stackLayer = (flags: { readonly config: string; readonly dir: string }) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const loaded = yield* loadConfig(flags.config)
      const options = stackOptions(loaded, flags.dir)
      yield* typeCheckNotice(options)
      return Stack.layer(loaded.mcp, options)
    })
  )
