/** `tta exec <file.ts>`: run a file of agent code against the configured servers and print the outcome. */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
import { root } from "./Root.ts"

const allowUnavailable = Flag.Boolean("allow-unavailable").pipe(
  Flag.withDescription(
    "Run even when a configured server cannot start: a warning for each, and a call to one fails in the code"
  ),
  Flag.withDefault(false)
)

const connect = Flag.String("connect").pipe(
  Flag.withDescription(
    "Run on a running `tta serve --http` at this URL (e.g. http://127.0.0.1:8080/mcp): reuses its servers"
  ),
  Flag.optional
)

const tokens = Flag.Boolean("tokens").pipe(
  Flag.withDescription("Also print the run's token account (o200k): direct vs tool search vs code mode"),
  Flag.withDefault(false)
)

export const exec = Command.make(
  "exec",
  { file: Argument.String("file.ts"), allowUnavailable, connect, tokens },
  ({ file, allowUnavailable, connect, tokens }) =>
    Effect.gen(function* () {
      const shared = yield* root
      yield* Option.match(connect, {
        onNone: () =>
          lazy(
            () => import("./actions/Exec.ts"),
            (action) => action.exec({ ...shared, file, allowUnavailable, tokens })
          ),
        onSome: (url) =>
          lazy(
            () => import("./actions/Connect.ts"),
            (action) => action.exec({ ...shared, file, connect: url })
          )
      })
    }).pipe(oneLine)
).pipe(Command.withDescription("Run a file of agent code against the configured servers"))
