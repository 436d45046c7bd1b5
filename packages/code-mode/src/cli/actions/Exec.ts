/** The work of `tta exec`: start the configured servers, run the file in a session, print the outcome. */
import { readFile } from "node:fs/promises"
import { McpHub, type ServersUnavailable } from "@tta/mcp"
import * as Effect from "effect/Effect"
import { CodeMode, type ExecuteOutcome } from "../../CodeMode.ts"
import * as Gateway from "../../Gateway.ts"
import { out, progress, UsageError } from "../Output.ts"
import { stackLayer } from "./Config.ts"

const printOutcome = (outcome: ExecuteOutcome, asJson: boolean) =>
  asJson
    ? out(JSON.stringify(outcome))
    : out(
        [
          `value: ${JSON.stringify(outcome.value, null, 2)}`,
          ...outcome.logs.map((l) => `[${l.level}] ${l.message}`),
          `${Gateway.summarizeCalls(outcome)} in ${Math.round(outcome.durationMs)} ms`,
          ...outcome.toolCalls.map(
            (c) =>
              `  ${c.outcome === "ok" ? "✓" : "✗"} ${c.server}.${c.tool} ${Math.round(c.durationMs)} ms${c.error ? ` — ${c.error}` : ""}`
          ),
          `tokens (o200k_base): direct ${outcome.tokens.direct.total}, tool search ${outcome.tokens.toolSearch.total}, code mode ${outcome.tokens.codeMode.total} (${outcome.tokens.savedVsDirect.toFixed(1)}% saved)`
        ].join("\n")
      )

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
}

export const exec = (flags: ExecOptions) =>
  Effect.gen(function* () {
    const code = yield* Effect.tryPromise({
      try: () => readFile(flags.file, "utf8"),
      catch: () => new UsageError({ message: `cannot read ${flags.file}` })
    })
    const outcome = yield* Effect.andThen(
      startServers(flags.allowUnavailable),
      CodeMode.use((codeMode) => codeMode.execute(code))
    ).pipe(Effect.provide(stackLayer(flags)))
    yield* printOutcome(outcome, flags.json)
  })
