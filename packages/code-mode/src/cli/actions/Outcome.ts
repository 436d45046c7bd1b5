/** What `tta exec` reads and prints, the same whether the code ran here or on a connected gateway. */
import { readFile } from "node:fs/promises"
import { Tokenizer } from "@tta/observability"
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

/**
 * Prints value, logs and calls; the token figures only when asked (`withTokens`): counting them
 * loads the o200k tokenizer, several times the CPU of the rest of a small run.
 */
export const printOutcome = (outcome: Printable, asJson: boolean, withTokens = false) => {
  // `tokens` may be a getter that counts on first read: never touched unless asked for.
  const rest = Object.fromEntries(
    Object.keys(outcome)
      .filter((key) => key !== "tokens")
      .map((key) => [key, outcome[key as keyof Printable]])
  )
  const tokens = withTokens ? outcome.tokens : undefined
  return asJson
    ? out(JSON.stringify(tokens ? { ...rest, tokens } : rest))
    : out(
        [
          `value: ${JSON.stringify(outcome.value, null, 2)}`,
          ...outcome.logs.map((l) => `[${l.level}] ${l.message}`),
          `${summarizeCalls(outcome)} in ${Math.round(outcome.durationMs)} ms`,
          ...outcome.toolCalls.map(
            (c) =>
              `  ${c.outcome === "ok" ? "✓" : "✗"} ${c.server}.${c.tool} ${Math.round(c.durationMs)} ms${c.error ? ` — ${c.error}` : ""}`
          ),
          ...(tokens
            ? [
                `tokens (${tokens.encoding}): direct ${tokens.direct.total}, tool search ${tokens.toolSearch.total}, code mode ${tokens.codeMode.total} (${tokens.savedVsDirect.toFixed(1)}% saved)`,
                // Without gpt-tokenizer the figures are estimates: say so, and what to install.
                ...(tokens.encoding === "estimate" ? [Tokenizer.note()] : [])
              ]
            : [])
        ].join("\n")
      )
}
