/** `tta tokens`: what the configured servers' tool definitions cost an agent, direct vs code mode. */
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
import { root } from "./Root.ts"

export const tokens = Command.make("tokens", {}, () =>
  Effect.gen(function* () {
    const shared = yield* root
    yield* lazy(
      () => import("./actions/Tokens.ts"),
      (action) => action.tokens(shared)
    )
  }).pipe(oneLine)
).pipe(Command.withDescription("Token cost of the configured servers' definitions: direct vs code mode"))
