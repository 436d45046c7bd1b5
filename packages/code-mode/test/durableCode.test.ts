// Code mode inside a durable workflow, on a real embedded store and a real server-memory: a call the
// policy marks `approve` stops the execution (the call is not made) and the workflow waits on an
// approval naming server, tool and arguments; approved, the code runs again from the start with
// exactly that call allowed. The journal keeps each attempt's calls.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Durable, DurableClient, Store } from "@tta/durable"
import { Effect, Fiber, Layer, ManagedRuntime, Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { approvalName } from "../src/CodeExecution.ts"
import * as View from "../src/cli/workflowsView.ts"
import { type CodeMode, codeExecution } from "../src/index.ts"
import { layerFor, tempSession } from "./support.ts"

const session = tempSession()
const graph = () => {
  try {
    return readFileSync(join(session.dir, "memory.jsonl"), "utf8")
  } catch {
    return ""
  }
}

const code = `import { createEntities, readGraph } from "./servers/memory/index.ts"
const before = await readGraph()
await createEntities({ entities: [{ name: "db", entityType: "service", observations: ["slow"] }] })
await createEntities({ entities: [{ name: "cache", entityType: "service", observations: [] }] })
const after = await readGraph()
export default { before: before.entities.length, after: after.entities.map((e) => e.name).sort() }`

const flow = Durable.workflow("record", codeExecution({ name: "record-services", durable: true }), {
  input: Schema.Struct({ code: Schema.String })
})

const runtime = ManagedRuntime.make(
  Durable.runner({
    store: Store.embedded({ path: join(session.dir, "durable.db") }),
    workflows: [flow]
  }).pipe(Layer.provide(layerFor(session, { typeCheck: false, policy: { approve: ["memory/create_*"] } })))
)
afterAll(() => runtime.dispose())

const client = DurableClient.DurableClient
const waitingOn = (id: string, name: string) =>
  Effect.gen(function* () {
    for (;;) {
      // Until the forked run has stored its start, the id is unknown.
      const detail = yield* client
        .use((c) => c.show(id))
        .pipe(Effect.catchTag("UnknownExecutionError", () => Effect.succeed(undefined)))
      if (detail === undefined) {
        yield* Effect.sleep("50 millis")
        continue
      }
      if (detail.waitingOn.some((w) => w.kind === "approval" && w.name === name)) return detail
      if (detail.status === "failed" || detail.status === "succeeded")
        return yield* Effect.die(`${id} ended (${detail.status}) without waiting on ${name}`)
      yield* Effect.sleep("50 millis")
    }
  }).pipe(Effect.timeout("60 seconds"))

describe("codeExecution({ durable: true })", () => {
  it("waits on an approval per gated call and reruns the code with exactly the approved calls", async () => {
    const result = await runtime.runPromise(
      Effect.gen(function* () {
        const id = yield* flow.executionId({ code })
        const run = yield* Effect.forkChild(flow.run({ code }))

        const first = approvalName("record-services", 1)
        const waiting = yield* waitingOn(id, first)
        const attempts = waiting.activities.filter((a) => /attempt-\d$/.test(a.name))
        expect(attempts).toHaveLength(1)
        expect(attempts[0]!.result).toMatchObject({
          attempt: {
            _tag: "NeedsApproval",
            call: {
              server: "memory",
              tool: "create_entities",
              args: { entities: [{ name: "db", entityType: "service", observations: ["slow"] }] }
            },
            toolCalls: [{ tool: "read_graph", outcome: "ok" }]
          }
        })
        // The call was not made.
        expect(graph()).not.toContain('"db"')
        // The wait itself says which call it is for (durable's own data), and `tta workflows show`
        // names it.
        expect(waiting.waitingOn.find((w) => w.name === first)?.details).toEqual({
          server: "memory",
          tool: "create_entities",
          args: { entities: [{ name: "db", entityType: "service", observations: ["slow"] }] }
        })
        expect(View.journal(waiting)).toContain(
          `… approval ${first} (call memory/create_entities {"entities":[{"name":"db","entityType":"service","observations":["slow"]}]}) waiting`
        )

        yield* client.use((c) => c.approve(id, first, { by: "alice" }))
        // The rerun makes the approved call, then stops at the next one (other arguments).
        const second = approvalName("record-services", 2)
        const again = yield* waitingOn(id, second)
        expect(graph()).toContain('"db"')
        expect(graph()).not.toContain('"cache"')
        const secondAttempt = again.activities.find((a) => a.name.endsWith("attempt-2"))
        expect(secondAttempt?.result).toMatchObject({
          attempt: {
            _tag: "NeedsApproval",
            call: { tool: "create_entities", args: { entities: [{ name: "cache" }] } },
            toolCalls: [
              { tool: "read_graph", outcome: "ok" },
              { tool: "create_entities", outcome: "ok" }
            ]
          }
        })

        yield* client.use((c) => c.approve(id, second, { by: "bob" }))
        const outcome = (yield* Fiber.join(run)) as CodeMode.ExecuteOutcome
        const detail = yield* client.use((c) => c.show(id))
        return { outcome, detail }
      })
    )
    // Third attempt: everything approved, the code ran to its end from the start.
    expect(result.outcome.value).toEqual({ before: 1, after: ["cache", "db"] })
    expect(result.outcome.toolCalls.map((c) => c.tool)).toEqual([
      "read_graph",
      "create_entities",
      "create_entities",
      "read_graph"
    ])
    expect(result.detail.status).toBe("succeeded")
    expect(result.detail.activities.filter((a) => /attempt-\d$/.test(a.name))).toHaveLength(3)
    expect(result.detail.waits.map((w) => [w.name, w.approved, w.by, (w.details as any)?.args])).toEqual([
      [
        approvalName("record-services", 1),
        true,
        "alice",
        { entities: [{ name: "db", entityType: "service", observations: ["slow"] }] }
      ],
      [
        approvalName("record-services", 2),
        true,
        "bob",
        { entities: [{ name: "cache", entityType: "service", observations: [] }] }
      ]
    ])
    // Attempt 3 made the db call again (calls before a gated one rerun: the docs say so); the
    // server keeps one entity per name.
    expect(graph().match(/"name":"db"/g)).toHaveLength(1)
  }, 120_000)
})
