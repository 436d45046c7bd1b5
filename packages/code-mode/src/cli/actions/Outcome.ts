/** What `tta exec` reads and prints, the same whether the code ran here or on a connected gateway. */
import { readFile } from "node:fs/promises"
import * as Effect from "effect/Effect"
import type { ExecuteOutcome } from "../../CodeMode.ts"
import { summarizeCalls } from "../../gateway/Responses.ts"
import { out, UsageError } from "../Output.ts"

export const readCode = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: () => new UsageError({ message: `cannot read ${file}` })
  })

/** An outcome; `tokens` is absent when the code ran on a gateway (its account stays there). */
export type Printable = Omit<ExecuteOutcome, "tokens"> & { readonly tokens?: ExecuteOutcome["tokens"] }

export const printOutcome = (outcome: Printable, asJson: boolean) =>
  asJson
    ? out(JSON.stringify(outcome))
    : out(
        [
          `value: ${JSON.stringify(outcome.value, null, 2)}`,
          ...outcome.logs.map((l) => `[${l.level}] ${l.message}`),
          `${summarizeCalls(outcome)} in ${Math.round(outcome.durationMs)} ms`,
          ...outcome.toolCalls.map(
            (c) =>
              `  ${c.outcome === "ok" ? "✓" : "✗"} ${c.server}.${c.tool} ${Math.round(c.durationMs)} ms${c.error ? ` — ${c.error}` : ""}`
          ),
          ...(outcome.tokens
            ? [
                `tokens (o200k_base): direct ${outcome.tokens.direct.total}, tool search ${outcome.tokens.toolSearch.total}, code mode ${outcome.tokens.codeMode.total} (${outcome.tokens.savedVsDirect.toFixed(1)}% saved)`
              ]
            : [])
        ].join("\n")
      )
