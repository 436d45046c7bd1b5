/** The config file as the subcommands read it: `mcpServers` plus the `codeMode` section, into a Stack. */
import type { McpConfigError } from "@tta/mcp"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stack from "../../Stack.ts"
import { progress } from "../Output.ts"

/** Reads the config and says on stderr which servers it names. */
export const loadConfig = (path: string): Effect.Effect<Stack.StackConfig, McpConfigError> =>
  Effect.gen(function* () {
    const loaded = yield* Stack.load(path)
    const names = Object.keys(loaded.mcp.mcpServers)
    yield* progress(
      `config ${path}: ${names.length} server${names.length === 1 ? "" : "s"} (${names.join(", ")})`
    )
    return loaded
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
  ...extra
})

/** The whole stack from a config file. */
export const stackLayer = (flags: { readonly config: string; readonly dir: string }) =>
  Layer.unwrap(
    Effect.map(loadConfig(flags.config), (loaded) => Stack.layer(loaded.mcp, stackOptions(loaded, flags.dir)))
  )
