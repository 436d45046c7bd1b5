/** `tta exec <file.ts>`: run a file of agent code against the configured servers and print the outcome. */
import { readFile } from "node:fs/promises"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { CodeMode, type ExecuteOutcome } from "../CodeMode.ts"
import * as Gateway from "../Gateway.ts"
import { stackLayer } from "./Config.ts"
import { oneLine, out, UsageError } from "./Output.ts"
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

export const exec = Command.make("exec", { file: Argument.String("file.ts") }, ({ file }) =>
  Effect.gen(function* () {
    const { config, dir, json: asJson } = yield* root
    const code = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: () => new UsageError({ message: `cannot read ${file}` })
    })
    const outcome = yield* CodeMode.use((codeMode) => codeMode.execute(code)).pipe(
      Effect.provide(stackLayer({ config, dir }))
    )
    yield* printOutcome(outcome, asJson)
  }).pipe(oneLine)
).pipe(Command.withDescription("Run a file of agent code against the configured servers"))
