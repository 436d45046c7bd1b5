/**
 * `tta`: serve the gateway, write the API tree to disk, run a file of agent code, manage skills and
 * show the token table — for the servers of a `.mcp.json`. One module per subcommand in `cli/`;
 * errors print as one line (see `cli/Output.ts` for the exit codes).
 */
import * as Command from "effect/cli/Command"
import { exec } from "./cli/Exec.ts"
import { gen } from "./cli/Gen.ts"
import { oneLine } from "./cli/Output.ts"
import { root } from "./cli/Root.ts"
import { serve } from "./cli/Serve.ts"
import { skills } from "./cli/Skills.ts"
import { tokens } from "./cli/Tokens.ts"
import { workflows } from "./cli/workflows.ts"

export { ExitCode, lastExitCode } from "./cli/Output.ts"

export const command = root.pipe(
  Command.withSubcommands([serve, gen, exec, skills, tokens, workflows(root, oneLine)])
)

/** Runs `tta` with the given arguments (without `node` and the script). */
export const run = (args: ReadonlyArray<string>) => Command.runWith(command, { version: "0.1.0" })(args)
