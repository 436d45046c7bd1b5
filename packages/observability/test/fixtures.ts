/**
 * A workflow shaped like a real code-mode run, built from plain Effect spans with the
 * span names of the brief (core, sandbox and MCP spans), so this package can be tested
 * before the other packages land.
 */
import { Effect, Schema } from "effect"

export class ToolFailed extends Schema.TaggedError<ToolFailed>()("ToolFailed", { message: Schema.String }) {}

export const toolCall = (server: string, tool: string, fail = false) =>
  // The failing call sleeps first so that its parallel sibling has started (and is interrupted).
  (fail
    ? Effect.sleep("1 millis").pipe(
        Effect.andThen(Effect.fail(new ToolFailed({ message: `${tool} failed` })))
      )
    : Effect.sleep("3 millis")
  ).pipe(
    Effect.withSpan(`tools/call ${tool}`, {
      kind: "client",
      attributes: { "mcp.method.name": "tools/call", "gen_ai.tool.name": tool, "mcp.server.name": server }
    })
  )

export const hostCall = (server: string, tool: string, fail = false) =>
  toolCall(server, tool, fail).pipe(
    Effect.withSpan("sandbox.host_call", { attributes: { "tta.host.function": "callTool" } })
  )

/** Two tool calls in parallel from inside the "sandboxed code". */
export const execute = (fail: boolean) =>
  Effect.all([hostCall("fs", "read_file", fail), hostCall("fs", "list_directory")], {
    concurrency: "unbounded"
  }).pipe(Effect.withSpan("sandbox.execute", { attributes: { "sandbox.backend": "isolate" } }))

/** Attempt 1 fails inside the sandbox, attempt 2 succeeds. */
export const workflow = Effect.gen(function* () {
  let attempt = 0
  const once = Effect.suspend(() => {
    attempt++
    return execute(attempt === 1).pipe(
      Effect.withSpan("tta.retry.attempt", { attributes: { "tta.retry.attempt": attempt } })
    )
  })
  return yield* once.pipe(Effect.retry({ times: 2 }))
}).pipe(
  Effect.withSpan("tta.retry", {
    attributes: { "tta.primitive.name": "read-files", "tta.workflow.id": "wf-1" }
  }),
  Effect.withSpan("tta.sequence", {
    attributes: { "tta.primitive.name": "triage", "tta.workflow.id": "wf-1" }
  }),
  Effect.withSpan("workflow.run")
)

const hosts = {
  name: "sandbox.host_call",
  children: [{ name: "tools/call list_directory", children: [] }]
}
const readFile = { name: "sandbox.host_call", children: [{ name: "tools/call read_file", children: [] }] }

/** The expected tree of {@link workflow}, siblings ordered by name. */
export const expectedShape = [
  {
    name: "workflow.run",
    children: [
      {
        name: "tta.sequence",
        children: [
          {
            name: "tta.retry",
            children: [
              {
                name: "tta.retry.attempt",
                children: [{ name: "sandbox.execute", children: [hosts, readFile] }]
              },
              {
                name: "tta.retry.attempt",
                children: [{ name: "sandbox.execute", children: [hosts, readFile] }]
              }
            ]
          }
        ]
      }
    ]
  }
]
