/** The gateway on stdin/stdout: one client, one session, for as long as the scope is open. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect } from "effect"
import * as Server from "./Server.ts"

/** Serves the gateway on stdin/stdout until the scope closes. */
export const serve = Effect.fnUntraced(function* () {
  const server = Server.make(yield* Server.runtime())
  const transport = new StdioServerTransport()
  yield* Effect.acquireRelease(
    Effect.promise(() => server.connect(transport)),
    () => Effect.promise(() => server.close())
  )
})
