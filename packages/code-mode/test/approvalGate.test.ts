// An attempt that cannot ask anyone stops at the first call needing approval — the call is not made —
// and names it; run again with exactly that call approved, the code goes through. Real server-memory.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ApprovalGate, CodeMode } from "../src/index.ts"
import { layerFor, tempSession } from "./support.ts"

const session = tempSession()
const memoryFile = join(session.dir, "memory.jsonl")
const graph = () => {
  try {
    return readFileSync(memoryFile, "utf8")
  } catch {
    return ""
  }
}

const stack = layerFor(session, {
  typeCheck: false,
  policy: { approve: ["memory/create_*"] }
})

// The code catches errors: a gate that only failed the call would let it carry on past it.
const code = (name: string) => `import { createEntities, readGraph } from "./servers/memory/index.ts"
const before = await readGraph()
let created = "no"
try {
  await createEntities({ entities: [{ name: ${JSON.stringify(name)}, entityType: "service", observations: ["slow"] }] })
  created = "yes"
} catch (e) { created = "caught: " + (e as Error).message }
const after = await readGraph()
export default { before: before.entities.length, created, after: after.entities.map((e) => e.name) }`

describe("ApprovalGate", () => {
  it.effect(
    "stops at an unapproved call without making it, then runs with exactly that call approved",
    () =>
      Effect.gen(function* () {
        const first = yield* ApprovalGate.attempt(code("db"), [])
        expect(first._tag).toBe("NeedsApproval")
        if (first._tag !== "NeedsApproval") return
        expect(first.call).toEqual({
          server: "memory",
          tool: "create_entities",
          args: { entities: [{ name: "db", entityType: "service", observations: ["slow"] }] }
        })
        // The call before it ran; the call itself and everything after did not.
        expect(first.toolCalls.map((c) => `${c.tool}:${c.outcome}`)).toEqual(["read_graph:ok"])
        expect(graph()).not.toContain('"db"')

        // Approving other arguments does not approve this call.
        const other = yield* ApprovalGate.attempt(code("db"), [
          { ...first.call, args: { entities: [{ name: "cache", entityType: "service", observations: [] }] } }
        ])
        expect(other._tag).toBe("NeedsApproval")
        expect(graph()).not.toContain('"db"')

        // Key order in the arguments does not matter.
        const reordered = {
          ...first.call,
          args: { entities: [{ observations: ["slow"], entityType: "service", name: "db" }] }
        }
        const second = yield* ApprovalGate.attempt(code("db"), [reordered])
        expect(second._tag).toBe("Done")
        if (second._tag !== "Done") return
        const outcome = second.outcome as unknown as CodeMode.ExecuteOutcome
        expect(outcome.value).toEqual({ before: 0, created: "yes", after: ["db"] })
        expect(outcome.toolCalls.map((c) => c.tool)).toEqual(["read_graph", "create_entities", "read_graph"])
        expect(graph()).toContain('"db"')
      }).pipe(Effect.provide(Layer.fresh(stack))),
    60_000
  )

  it.effect("without a gate the same call is denied as before (no client can be asked)", () =>
    Effect.gen(function* () {
      const outcome = yield* CodeMode.CodeMode.use((c) => c.execute(code("queue")))
      expect((outcome.value as { created: string }).created).toContain("was denied by policy")
      expect(graph()).not.toContain('"queue"')
    }).pipe(Effect.provide(Layer.fresh(stack)))
  )
})
