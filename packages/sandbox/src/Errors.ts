import { Schema } from "effect"

export const LogLevel = Schema.Literals(["log", "info", "warn", "error", "debug"])

/** One line of console output from the code. */
export const LogEntry = Schema.Struct({ level: LogLevel, message: Schema.String })

/** What the code printed before it failed: the person debugging a failure needs it most. */
const logs = Schema.optionalKey(Schema.Array(LogEntry))

/** The limits an execution can run into; each one is named in {@link LimitExceeded}. */
export const LimitName = Schema.Literals(["wallTime", "cpuTime", "memory", "outputBytes", "hostCalls"])
export type LimitName = typeof LimitName.Type

/** The code ran past one of its limits and was stopped. `limit` says which; `value` is the limit's setting. */
export class LimitExceeded extends Schema.TaggedError<LimitExceeded>()("LimitExceeded", {
  limit: LimitName,
  value: Schema.Number,
  message: Schema.String,
  logs
}) {}

/**
 * The agent's code failed: a syntax error, an uncaught exception (or a thrown non-Error value), an
 * unhandled rejection, or an import of something that is not mounted. `stack` has the line numbers
 * of the code as the agent wrote it.
 */
export class CodeError extends Schema.TaggedError<CodeError>()("CodeError", {
  name: Schema.String,
  message: Schema.String,
  stack: Schema.String,
  logs
}) {}

/** The agent's code threw something that is not an Error (a string, a number, a plain object). */
export const thrownValue = (value: unknown): CodeError => {
  let shown: string
  try {
    shown = JSON.stringify(value) ?? String(value)
  } catch {
    shown = String(value)
  }
  return new CodeError({
    name: "ThrownValue",
    message: `the code threw a value that is not an Error: ${shown}`,
    stack: ""
  })
}

/** `export default` held something JSON cannot represent (a function, a cycle, a Map, a BigInt...). */
export class ResultNotSerializable extends Schema.TaggedError<ResultNotSerializable>()(
  "ResultNotSerializable",
  { message: Schema.String, logs }
) {}

/** The request itself was unusable (a bad file path, a host function name that is not an identifier). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  field: Schema.String,
  message: Schema.String
}) {}

/** The backend could not run the code at all (native addon missing, cloud sandbox unreachable, runner crashed). */
export class SandboxUnavailable extends Schema.TaggedError<SandboxUnavailable>()("SandboxUnavailable", {
  backend: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The error with the console output the code made before it (errors that carry logs). */
export const withLogs = (error: SandboxError, entries: ReadonlyArray<typeof LogEntry.Type>): SandboxError => {
  if (entries.length === 0) return error
  const copy = [...entries]
  switch (error._tag) {
    case "LimitExceeded":
      return new LimitExceeded({ limit: error.limit, value: error.value, message: error.message, logs: copy })
    case "CodeError":
      return new CodeError({ name: error.name, message: error.message, stack: error.stack, logs: copy })
    case "ResultNotSerializable":
      return new ResultNotSerializable({ message: error.message, logs: copy })
    default:
      return error
  }
}

export type SandboxError =
  | LimitExceeded
  | CodeError
  | ResultNotSerializable
  | InvalidRequest
  | SandboxUnavailable
