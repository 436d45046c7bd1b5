/**
 * One MCP server (the SDK's low-level `Server`) answering with the tool table. Requests run on a
 * runtime built from the caller's context (a FiberSet runtime), so the caller's tracer and logger
 * are kept and every request fiber is interrupted when the scope that made the runtime closes.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Cause, Effect, Exit, FiberSet } from "effect"
import type { CodeMode } from "../CodeMode.ts"
import * as Policy from "../Policy.ts"
import * as Responses from "./Responses.ts"
import * as Tools from "./Tools.ts"

/** Runs an effect on the gateway's runtime, as a promise of its exit. */
export type Run = <A, E>(
  effect: Effect.Effect<A, E, CodeMode>,
  options?: { readonly signal?: AbortSignal | undefined }
) => Promise<Exit.Exit<A, E>>

/** A `Run` over the context in scope; its fibers are interrupted when the scope closes. */
export const runtime = Effect.fnUntraced(function* () {
  const runPromise = yield* FiberSet.makeRuntimePromise<CodeMode>()
  const run: Run = (effect, options) =>
    runPromise(Effect.exit(effect), options?.signal === undefined ? undefined : { signal: options.signal })
  return run
})

/** Calls the policy marks "approve" are put to the person at the client, when it can be asked. */
const approverFor = (server: Server) => (call: Policy.CallRequest) =>
  Effect.promise(() =>
    server
      .elicitInput({
        message: `Allow the code to call ${call.server}/${call.tool}?`,
        requestedSchema: {
          type: "object",
          properties: { approve: { type: "boolean", title: `Allow ${call.server}/${call.tool}` } },
          required: ["approve"]
        }
      })
      .then((r) => r.action === "accept" && r.content?.approve === true)
      .catch(() => false)
  )

/** A server for one client connection; connect it to a transport. */
export const make = (run: Run): Server => {
  const server = new Server(Tools.serverInfo, {
    capabilities: { tools: {} },
    instructions: Tools.instructions
  })
  const approver = approverFor(server)
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...Tools.tools] }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const canAsk = server.getClientCapabilities()?.elicitation !== undefined
    const call = Tools.handleCall(request.params.name, request.params.arguments)
    const exit = await run(canAsk ? Effect.provideService(call, Policy.Approver, approver) : call, {
      signal: extra.signal
    })
    if (Exit.isSuccess(exit)) return exit.value
    return Responses.error(`Internal error: ${Cause.pretty(exit.cause)}`)
  })
  return server
}
