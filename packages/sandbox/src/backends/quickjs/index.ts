import { Effect, Schema } from "effect"
import { register } from "../../Backend.ts"
import * as OptionalPeer from "../../OptionalPeer.ts"
import { peerCheck } from "../peerCheck.ts"

/** `quickjs`: QuickJS compiled to WebAssembly; the module loads on the first execution. */
register({
  name: "quickjs",
  options: Schema.Struct({}),
  make: () =>
    peerCheck("quickjs", OptionalPeer.quickjs).pipe(
      Effect.andThen(Effect.promise(() => import("./QuickJs.ts"))),
      Effect.flatMap((m) => m.backend())
    )
})
