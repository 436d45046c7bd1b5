/**
 * How `tta` talks back: results on stdout, progress on stderr, and every failure as one line on stderr
 * with an exit code — 0 ok, 1 the agent's code failed, 2 bad usage or config, 3 a server or sandbox failed.
 */
import { Effect, Schema } from "effect"

export const ExitCode = { ok: 0, codeFailed: 1, usage: 2, failure: 3 } as const

/** Set by a handler; what the process exits with. */
let exitCode: number = ExitCode.ok
export const lastExitCode = () => exitCode

export const progress = (message: string) => Effect.sync(() => process.stderr.write(`${message}\n`))
export const out = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))

/** A command line that cannot be acted on (a missing file, a bad argument). */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

const usageTags = new Set([
  "McpConfigError",
  "PolicyConfigError",
  "ServerNotFound",
  "SkillNotFound",
  "SkillInvalid",
  "UsageError"
])

/** Any failure → one line on stderr and a meaningful exit code. */
export const oneLine = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
  effect.pipe(
    Effect.asVoid,
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        const error = cause.reasons.find((r) => r._tag === "Fail")
        const value =
          error && "error" in error ? (error.error as { _tag?: string; message?: string }) : undefined
        const tag = value?._tag ?? "Error"
        const message =
          // One line naming each server that could not start (its own message is a list).
          (tag === "ServersUnavailable"
            ? (value as { failures?: ReadonlyArray<{ message: string }> }).failures
                ?.map((f) => f.message.split("\n", 1)[0])
                .join("; ")
            : undefined) ??
          value?.message ??
          (
            cause.reasons.find((r) => r._tag === "Die") as { defect?: unknown } | undefined
          )?.defect?.toString() ??
          "interrupted"
        exitCode =
          tag === "ExecutionError"
            ? ExitCode.codeFailed
            : usageTags.has(tag)
              ? ExitCode.usage
              : ExitCode.failure
        const [first, ...rest] = message.split("\n")
        process.stderr.write(`tta: ${first}\n`)
        // The agent's own errors keep their detail (type errors, stack lines); others stay one line.
        if (tag === "ExecutionError" && rest.length > 0) process.stderr.write(`${rest.join("\n")}\n`)
      })
    )
  )
