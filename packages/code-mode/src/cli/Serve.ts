/** `tta serve`: the gateway MCP server, over stdio (one client) or Streamable HTTP (one session per client). */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Gateway from "../Gateway.ts"
import * as Stack from "../Stack.ts"
import { loadConfig, stackOptions } from "./Config.ts"
import { untilAbandoned } from "./Lifecycle.ts"
import { oneLine, progress } from "./Output.ts"
import { root } from "./Root.ts"

export const serve = Command.make(
  "serve",
  {
    http: Flag.Int("http").pipe(
      Flag.withDescription("Serve Streamable HTTP on this port (0: any free port) instead of stdio"),
      Flag.optional
    ),
    host: Flag.String("host").pipe(Flag.withDefault("127.0.0.1")),
    typecheck: Flag.Boolean("typecheck").pipe(
      Flag.withDescription("Type-check agent code before it runs (--no-typecheck to skip)"),
      Flag.withDefault(true)
    )
  },
  (flags) =>
    Effect.gen(function* () {
      const { config, dir } = yield* root
      const loaded = yield* loadConfig(config)
      const options = stackOptions(loaded, dir, {
        typeCheck: flags.typecheck && loaded.codeMode.typeCheck !== false
      })
      const port = Option.getOrUndefined(flags.http)
      const program =
        port !== undefined
          ? Effect.gen(function* () {
              // Each HTTP client gets its own session (workspace, PII tokens); stdio has one client.
              const perSession = yield* Stack.perSession(options)
              const gateway = yield* Gateway.serveHttp({ host: flags.host, port, perSession })
              yield* progress(`tta gateway listening on ${gateway.url}`)
              yield* progress(`tta gateway stopping: ${yield* untilAbandoned("http")}`)
            })
          : Effect.gen(function* () {
              yield* Gateway.serveStdio()
              yield* progress("tta gateway on stdio")
              yield* progress(`tta gateway stopping: ${yield* untilAbandoned("stdio")}`)
            })
      yield* Effect.scoped(program).pipe(Effect.provide(Stack.layer(loaded.mcp, options)))
    }).pipe(oneLine)
).pipe(Command.withDescription("Serve the gateway MCP server (stdio, or Streamable HTTP with --http)"))
