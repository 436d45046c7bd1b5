/** `tta gen <dir>`: write the generated API tree to disk, for a person to browse. */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
import { root } from "./Root.ts"

export const gen = Command.make("gen", { out: Argument.String("dir") }, ({ out }) =>
  Effect.gen(function* () {
    const shared = yield* root
    yield* lazy(
      () => import("./actions/Gen.ts"),
      (action) => action.gen({ ...shared, out })
    )
  }).pipe(oneLine)
).pipe(Command.withDescription("Write the generated API tree to a directory, for browsing"))
