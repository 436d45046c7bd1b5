/** The work of `tta exec`: start the configured servers, run the file in a session, print the outcome. */
import { McpHub, type ServersUnavailable } from "@tta/mcp"
import * as Effect from "effect/Effect"
import { CodeMode } from "../../CodeMode.ts"
import { progress } from "../Output.ts"
import { stackLayer } from "./Config.ts"
import { printOutcome, readCode } from "./Outcome.ts"

/**
 * Every configured server is started before the code runs. A one-shot run has no later chance to
 * recover, and the API the code is checked against would silently lack a server, so by default a
 * server that cannot start ends the run (exit 3, one line naming each server and why).
 */
const startServers = (allow: boolean) =>
  McpHub.use((hub) =>
    hub.connectAll().pipe(
      Effect.catchTag("ServersUnavailable", (e: ServersUnavailable) =>
        allow
          ? Effect.forEach(e.failures, (f) => progress(`tta: warning: ${firstLine(f.message)}`), {
              discard: true
            })
          : Effect.fail(e)
      )
    )
  )

const firstLine = (text: string) => text.split("\n", 1)[0]!

export interface ExecOptions {
  readonly config: string
  readonly dir: string
  readonly json: boolean
  readonly file: string
  readonly allowUnavailable: boolean
  readonly tokens: boolean
}

export const exec = (flags: ExecOptions) =>
  Effect.gen(function* () {
    const code = yield* readCode(flags.file)
    const outcome = yield* Effect.andThen(
      startServers(flags.allowUnavailable),
      CodeMode.use((codeMode) => codeMode.execute(code))
    ).pipe(Effect.provide(stackLayer(flags)))
    yield* printOutcome(outcome, flags.json, flags.tokens)
  })
