/** `tta exec <file.ts>`: run a file of agent code against the configured servers and print the outcome. */
import { readFile } from "node:fs/promises"
import { McpHub, type ServersUnavailable } from "@tta/mcp"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import { CodeMode, type ExecuteOutcome } from "../CodeMode.ts"
import * as Gateway from "../Gateway.ts"
import { stackLayer } from "./Config.ts"
import { oneLine, out, progress, UsageError } from "./Output.ts"
import { root } from "./Root.ts"

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

const allowUnavailable = Flag.Boolean("allow-unavailable").pipe(
  Flag.withDescription(
    "Run even when a configured server cannot start: a warning for each, and a call to one fails in the code"
  ),
  Flag.withDefault(false)
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

export const exec = Command.make(
  "exec",
  { file: Argument.String("file.ts"), allowUnavailable },
  ({ file, allowUnavailable }) =>
    Effect.gen(function* () {
      const { config, dir, json: asJson } = yield* root
      const code = yield* Effect.tryPromise({
        try: () => readFile(file, "utf8"),
        catch: () => new UsageError({ message: `cannot read ${file}` })
      })
      const outcome = yield* Effect.andThen(
        startServers(allowUnavailable),
        CodeMode.use((codeMode) => codeMode.execute(code))
      ).pipe(Effect.provide(stackLayer({ config, dir })))
      yield* printOutcome(outcome, asJson)
    }).pipe(oneLine)
).pipe(Command.withDescription("Run a file of agent code against the configured servers"))
