import { Effect, Schema } from "effect"
import { register } from "../../Backend.ts"

/** What a config may set: `pool`, the idle isolates kept per memory limit (0: a new isolate every time). */
const Options = Schema.Struct({ pool: Schema.optionalKey(Schema.Number) })

/**
 * `isolate`: V8 isolates (isolated-vm), a warm pool of them with a new context per execution. The
 * addon loads when the layer is built, so a missing binary fails early.
 */
register({
  name: "isolate",
  options: Options,
  make: (options) =>
    Effect.flatMap(
      Effect.promise(() => import("./Isolate.ts")),
      (m) => m.backend(options)
    )
})
