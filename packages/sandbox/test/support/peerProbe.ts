// Run by optional-peers.test.ts in a child process (some packages hidden): builds the layer of the
// backend named in argv[2], runs `1 + 1` with it, and prints the Exit as JSON.
import { Effect } from "effect"
import { E2b, Sandbox } from "../../src/index.ts"

const layers = { isolate: Sandbox.isolate, quickjs: Sandbox.quickjs, e2b: E2b.layer() }
const layer = layers[process.argv[2] as keyof typeof layers]
const exit = await Effect.runPromiseExit(
  Effect.flatMap(Sandbox, (s) => s.execute({ code: "export default 1 + 1" })).pipe(
    Effect.provide(layer),
    Effect.scoped
  )
)
console.log(JSON.stringify(exit))
process.exit(0)
