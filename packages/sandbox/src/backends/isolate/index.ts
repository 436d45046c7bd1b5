import { Effect, Schema } from "effect"
import { register } from "../../Backend.ts"

/** `isolate`: a V8 isolate per execution (isolated-vm). The addon loads when the layer is built, so a missing binary fails early. */
register({
  name: "isolate",
  options: Schema.Struct({}),
  make: () =>
    Effect.flatMap(
      Effect.promise(() => import("./Isolate.ts")),
      (m) => m.backend()
    )
})
