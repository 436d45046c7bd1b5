/** `tta serve`: the gateway MCP server, over stdio (one client) or Streamable HTTP (one session per client). */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
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
      const shared = yield* root
      const options = { ...shared, ...flags, http: Option.getOrUndefined(flags.http) }
      yield* lazy(
        () => import("./actions/Serve.ts"),
        (action) => action.serve(options)
      )
    }).pipe(oneLine)
).pipe(Command.withDescription("Serve the gateway MCP server (stdio, or Streamable HTTP with --http)"))
