/** The `tta` root command and the flags every subcommand shares (`--config`, `--dir`, `--json`). */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"

const config = Flag.String("config").pipe(
  Flag.withAlias("c"),
  Flag.withDescription("MCP config file (.mcp.json / claude_desktop_config.json format)"),
  Flag.withDefault(".mcp.json")
)
const dir = Flag.String("dir").pipe(
  Flag.withDescription("Session directory (skills/, workspace/)"),
  Flag.withDefault(".tta")
)
const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Machine-readable output"),
  Flag.withDefault(false)
)

/** Subcommands read the shared flags with `yield* root`. */
export const root = Command.make("tta").pipe(
  Command.withSharedFlags({ config, dir, json }),
  Command.withDescription("Code mode for MCP: one gateway server, a typed API, sandboxed execution")
)
