import { Schema } from "effect"

const tail = (stderr: string): string => (stderr.length > 0 ? `\n--- stderr (tail) ---\n${stderr}` : "")

/** The config file (or value) is not a valid `mcpServers` config. Names the server and field at fault. */
export class McpConfigError extends Schema.TaggedError<McpConfigError>()("McpConfigError", {
  server: Schema.optionalKey(Schema.String),
  field: Schema.optionalKey(Schema.String),
  detail: Schema.String
}) {
  override get message(): string {
    const where = [
      this.server === undefined ? undefined : `server "${this.server}"`,
      this.field === undefined ? undefined : `field "${this.field}"`
    ].filter((s) => s !== undefined)
    return `invalid MCP config: ${where.length > 0 ? `${where.join(", ")}: ` : ""}${this.detail}`
  }
}

/** No server of that name in the config. */
export class ServerNotFound extends Schema.TaggedError<ServerNotFound>()("ServerNotFound", {
  server: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `no MCP server named "${this.server}" (configured: ${this.known.join(", ") || "none"})`
  }
}

/** Starting or initializing the server failed; says how its process ended when it did. */
export class ConnectError extends Schema.TaggedError<ConnectError>()("ConnectError", {
  server: Schema.String,
  detail: Schema.String,
  stderr: Schema.String,
  /** Exit code of a process that exited before answering `initialize`. */
  exitCode: Schema.optionalKey(Schema.Number),
  /** Signal that ended it. */
  signal: Schema.optionalKey(Schema.String),
  /** Why the command could not be run at all (`ENOENT`, `EACCES`). */
  spawnError: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return `MCP server "${this.server}" could not be started: ${this.detail}${tail(this.stderr)}`
  }
}

/** The server gave out too many times in a row; calls fail fast until the cool-down passes. */
export class ServerUnavailable extends Schema.TaggedError<ServerUnavailable>()("ServerUnavailable", {
  server: Schema.String,
  failures: Schema.Number,
  lastError: Schema.String,
  stderr: Schema.String
}) {
  override get message(): string {
    return `MCP server "${this.server}" failed ${this.failures} times in a row and is not restarted for now; last error: ${this.lastError}${tail(this.stderr)}`
  }
}

/** The connection died while a request was in flight (process exit, bad output, no answer). */
export class ServerCrashed extends Schema.TaggedError<ServerCrashed>()("ServerCrashed", {
  server: Schema.String,
  method: Schema.String,
  tool: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  stderr: Schema.String,
  /** Exit code of the process, when it exited by itself. */
  exitCode: Schema.optionalKey(Schema.Number),
  /** Signal that ended the process, when one did. */
  signal: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    const what = this.tool === undefined ? this.method : `${this.method} ${this.tool}`
    return `MCP server "${this.server}" ${this.reason} during ${what}; it is restarted on the next call${tail(this.stderr)}`
  }
}

/** The server broke the protocol: output on stdout that is not JSON-RPC. */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  server: Schema.String,
  method: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `MCP server "${this.server}" broke the protocol during ${this.method}: ${this.detail}; the connection was reset`
  }
}

/** The server answered the request with a JSON-RPC error. */
export class RequestError extends Schema.TaggedError<RequestError>()("RequestError", {
  server: Schema.String,
  method: Schema.String,
  tool: Schema.optionalKey(Schema.String),
  code: Schema.Number,
  detail: Schema.String
}) {
  override get message(): string {
    const what = this.tool === undefined ? this.method : `${this.method} ${this.tool}`
    return `MCP server "${this.server}" rejected ${what} (code ${this.code}): ${this.detail}`
  }
}

/** The server has no tool of that name. */
export class ToolNotFound extends Schema.TaggedError<ToolNotFound>()("ToolNotFound", {
  server: Schema.String,
  tool: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const shown = this.available.slice(0, 20).join(", ")
    const more = this.available.length > 20 ? `, … (${this.available.length} in all)` : ""
    return `MCP server "${this.server}" has no tool "${this.tool}" (tools: ${shown || "none"}${more})`
  }
}

/** The arguments do not satisfy the tool's inputSchema; nothing was sent. */
export class InvalidToolArguments extends Schema.TaggedError<InvalidToolArguments>()("InvalidToolArguments", {
  server: Schema.String,
  tool: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `invalid arguments for ${this.server}/${this.tool}: ${this.detail}`
  }
}

/** The tool ran and reported failure (`isError: true`); `detail` is the server's message. */
export class ToolError extends Schema.TaggedError<ToolError>()("ToolError", {
  server: Schema.String,
  tool: Schema.String,
  detail: Schema.String,
  content: Schema.Array(Schema.Unknown)
}) {
  override get message(): string {
    return `${this.server}/${this.tool} failed: ${this.detail}`
  }
}

/** No answer within the time limit; a cancellation was sent to the server. */
export class ToolTimeout extends Schema.TaggedError<ToolTimeout>()("ToolTimeout", {
  server: Schema.String,
  tool: Schema.String,
  timeoutMs: Schema.Number
}) {
  override get message(): string {
    return `${this.server}/${this.tool} did not answer within ${this.timeoutMs} ms (cancelled)`
  }
}

/** A result (or any single message) larger than the configured cap. */
export class ResultTooLarge extends Schema.TaggedError<ResultTooLarge>()("ResultTooLarge", {
  server: Schema.String,
  tool: Schema.String,
  limitBytes: Schema.Number
}) {
  override get message(): string {
    return `${this.server}/${this.tool} returned more than the ${this.limitBytes}-byte result limit (maxResultBytes)`
  }
}

/** One server that `connectAll` could not connect: its name, the error's tag and message. */
export const ServerFailureEntry = Schema.Struct({
  server: Schema.String,
  error: Schema.String,
  message: Schema.String,
  exitCode: Schema.optionalKey(Schema.Number),
  spawnError: Schema.optionalKey(Schema.String)
})
export type ServerFailureEntry = typeof ServerFailureEntry.Type

/** `connectAll`: some configured servers could not be started; lists each with its reason. */
export class ServersUnavailable extends Schema.TaggedError<ServersUnavailable>()("ServersUnavailable", {
  failures: Schema.Array(ServerFailureEntry),
  of: Schema.Number
}) {
  override get message(): string {
    const lines = this.failures.map((f) => `- ${f.message}`)
    return `${this.failures.length} of ${this.of} MCP servers could not be started:\n${lines.join("\n")}`
  }
}

/** Failures of connecting to a server or listing its tools. */
export type ConnectionError =
  | ServerNotFound
  | ConnectError
  | ServerUnavailable
  | ServerCrashed
  | ProtocolError
  | RequestError

/** Every failure `McpHub.callTool` can produce. */
export type CallError =
  | ConnectionError
  | ToolNotFound
  | InvalidToolArguments
  | ToolError
  | ToolTimeout
  | ResultTooLarge
