/** The work of `tta serve`: the stack from the config, the gateway on stdio or HTTP, until abandoned. */
import * as Effect from "effect/Effect"
import * as Gateway from "../../Gateway.ts"
import * as Stack from "../../Stack.ts"
import { progress } from "../Output.ts"
import { loadConfig, stackOptions, typeCheckNotice } from "./Config.ts"
import { untilAbandoned } from "./Lifecycle.ts"

export interface ServeOptions {
  readonly config: string
  readonly dir: string
  readonly http: number | undefined
  readonly host: string
  readonly typecheck: boolean
  /** Seconds. */
  readonly idleTimeout: number | undefined
  readonly maxSessions: number | undefined
}

export const serve = (flags: ServeOptions) =>
  Effect.gen(function* () {
    const loaded = yield* loadConfig(flags.config)
    // --no-typecheck turns it off; else the config's setting, or on when TypeScript is installed.
    const options = stackOptions(loaded, flags.dir, flags.typecheck ? {} : { typeCheck: false })
    yield* typeCheckNotice(options)
    const port = flags.http
    const program =
      port !== undefined
        ? Effect.gen(function* () {
            // Each HTTP client gets its own session (workspace, PII tokens); stdio has one client.
            const perSession = yield* Stack.perSession(options)
            const gateway = yield* Gateway.serveHttp({
              host: flags.host,
              port,
              perSession,
              idleTimeout: flags.idleTimeout === undefined ? undefined : `${flags.idleTimeout} seconds`,
              maxSessions: flags.maxSessions
            })
            yield* progress(`tta gateway listening on ${gateway.url}`)
            yield* progress(`tta gateway stopping: ${yield* untilAbandoned("http")}`)
          })
        : Effect.gen(function* () {
            yield* Gateway.serveStdio()
            yield* progress("tta gateway on stdio")
            yield* progress(`tta gateway stopping: ${yield* untilAbandoned("stdio")}`)
          })
    yield* Effect.scoped(program).pipe(Effect.provide(Stack.layer(loaded.mcp, options)))
  })
