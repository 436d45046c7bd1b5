/** `tta exec <file.ts>`: run a file of agent code against the configured servers and print the outcome. */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
import { root } from "./Root.ts"

const allowUnavailable = Flag.Boolean("allow-unavailable").pipe(
  Flag.withDescription(
    "Run even when a configured server cannot start: a warning for each, and a call to one fails in the code"
  ),
  Flag.withDefault(false)
)

export const exec = Command.make(
  "exec",
  { file: Argument.String("file.ts"), allowUnavailable },
  ({ file, allowUnavailable }) =>
    Effect.gen(function* () {
      const shared = yield* root
      yield* lazy(
        () => import("./actions/Exec.ts"),
        (action) => action.exec({ ...shared, file, allowUnavailable })
      )
    }).pipe(oneLine)
).pipe(Command.withDescription("Run a file of agent code against the configured servers"))
