import { Effect, Schema } from "effect"
import { register } from "../../Backend.ts"

/** `quickjs`: QuickJS compiled to WebAssembly; the module loads on the first execution. */
register({
  name: "quickjs",
  options: Schema.Struct({}),
  make: () =>
    Effect.flatMap(
      Effect.promise(() => import("./QuickJs.ts")),
      (m) => m.backend()
    )
})
