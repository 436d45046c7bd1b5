/**
 * One runner process of the demo's group: what `tta workflows runner --workflows flows.ts --store
 * <url>` does, in this module graph, so that the flows and the runner share one copy of effect and
 * @tta/durable (the bundled `tta` bin carries its own copies, which a module loaded at run time
 * does not share). Prints `runner <pid> on postgres …` on stderr when up; SIGTERM/SIGINT stop it.
 *
 *   node --no-node-snapshot apps/demo/src/runners/runner.ts <postgres url>
 */
import { Durable, Store } from "@tta/durable"
import { Effect, Fiber, Layer } from "effect"
import { layer, workflows } from "./flows.ts"

const store = Store.postgres({ url: process.argv[2] })

const program = Effect.gen(function* () {
  yield* Layer.build(Durable.runners({ store, workflows }).pipe(Layer.provide(layer)))
  process.stderr.write(
    `runner ${process.pid} on ${Store.describe(store)}: ${workflows.map((w) => w.name).join(", ")}\n`
  )
  return yield* Effect.never
})

const fiber = Effect.runFork(Effect.scoped(program))
let stopping = false
// Stopping closes the scope: the runner leaves the group and its servers are closed.
const stop = () => {
  stopping = true
  void Effect.runPromise(Fiber.interrupt(fiber)).then(() => process.exit(0))
}
process.once("SIGTERM", stop)
process.once("SIGINT", stop)
fiber.addObserver((exit) => {
  if (exit._tag === "Failure" && !stopping) {
    process.stderr.write(`runner failed: ${String(exit.cause)}\n`)
    process.exit(1)
  }
})
