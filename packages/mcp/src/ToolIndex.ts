/**
 * The tool list of one server: fetched across pages, cached for the connection it came from,
 * dropped on `notifications/tools/list_changed`, and each tool's argument validator compiled
 * on first use. Internal to the package.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js"
import type { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"
import { Effect, Semaphore } from "effect"
import type { Connection } from "./Connection.ts"
import {
  type ConnectionError,
  InvalidToolArguments,
  RequestError,
  ServerCrashed,
  type ServerNotFound,
  ToolNotFound
} from "./Errors.ts"
import { describeFailure } from "./Failure.ts"
import { ErrorCode } from "./Protocol.ts"
import { request } from "./Requests.ts"
import { loadedSdk } from "./Sdk.ts"
import type { Supervisor } from "./Supervisor.ts"
import { type RequestTelemetry, requestTelemetry, tracedRequest } from "./Telemetry.ts"

export interface ToolEntry {
  readonly tool: Tool
  // undefined: not compiled yet; null: the schema could not be compiled (the server validates).
  validate: JsonSchemaValidator<unknown> | null | undefined
  // The same for `outputSchema` (null also when the tool has none).
  validateOutput: JsonSchemaValidator<unknown> | null | undefined
}

interface Index {
  /** The connection the list was fetched on; a new connection fetches again. */
  readonly conn: Connection
  readonly list: ReadonlyArray<Tool>
  readonly byName: ReadonlyMap<string, ToolEntry>
}

export interface ToolIndexOptions {
  readonly timeoutMs: number
  readonly validateArguments: boolean
  readonly validateOutput: boolean
}

/** Failures of a known server (connecting, listing). */
export type ServerFailure = Exclude<ConnectionError, ServerNotFound>

const MAX_PAGES = 1000
const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({})

// One validator (and its compiled-schema cache) for the whole process.
let sharedValidator: AjvJsonSchemaValidator | undefined
const validator = (): AjvJsonSchemaValidator => {
  // Only tools of a connected server are validated, so the SDK is loaded by now.
  sharedValidator ??= new (loadedSdk().AjvJsonSchemaValidator)()
  return sharedValidator
}

export class ToolIndex {
  readonly server: Supervisor
  readonly options: ToolIndexOptions
  #index: Index | undefined = undefined
  #version = 0
  readonly #lock = Semaphore.makeUnsafe(1)
  readonly #telemetry: RequestTelemetry

  constructor(server: Supervisor, options: ToolIndexOptions) {
    this.server = server
    this.options = options
    this.#telemetry = requestTelemetry("tools/list", server.name, server.config.type)
  }

  /** The cached entry of `tool` when the cache belongs to `conn` (the call's fast path). */
  cached(conn: Connection, tool: string): ToolEntry | undefined {
    const index = this.#index
    return index !== undefined && index.conn === conn ? index.byName.get(tool) : undefined
  }

  /** Forgets the list (it changed); a fetch in flight is not kept. */
  invalidate(): void {
    this.#version++
    this.#index = undefined
  }

  /** All tools of the server, connecting first when needed. */
  list(): Effect.Effect<ReadonlyArray<Tool>, ServerFailure> {
    return Effect.flatMap(this.server.connection(), (conn) =>
      Effect.map(this.get(conn), (index) => index.list)
    )
  }

  /** The list for `conn`, from the cache or fetched (one fetch at a time). */
  get(conn: Connection): Effect.Effect<Index, ServerFailure> {
    const cached = this.#index
    if (cached !== undefined && cached.conn === conn) return Effect.succeed(cached)
    return this.#lock.withPermit(
      Effect.suspend(() => {
        const again = this.#index
        return again !== undefined && again.conn === conn ? Effect.succeed(again) : this.#fetch(conn)
      })
    )
  }

  /** The entry of `tool`; a name not in the cached list is looked up once more before failing. */
  resolve(conn: Connection, tool: string): Effect.Effect<ToolEntry, ServerFailure | ToolNotFound> {
    return Effect.flatMap(this.get(conn), (index) => {
      const entry = index.byName.get(tool)
      if (entry !== undefined) return Effect.succeed(entry)
      // The list may have changed without a notification.
      this.invalidate()
      return Effect.flatMap(this.get(conn), (fresh) => {
        const again = fresh.byName.get(tool)
        return again !== undefined
          ? Effect.succeed(again)
          : Effect.fail(
              new ToolNotFound({ server: this.server.name, tool, available: fresh.list.map((t) => t.name) })
            )
      })
    })
  }

  /** Why `args` cannot be sent to the tool, or undefined when they can. */
  argumentsError(entry: ToolEntry, args: unknown): InvalidToolArguments | undefined {
    if (args !== null && args !== undefined && (typeof args !== "object" || Array.isArray(args))) {
      return new InvalidToolArguments({
        server: this.server.name,
        tool: entry.tool.name,
        detail: `arguments must be an object, got ${Array.isArray(args) ? "an array" : typeof args}`
      })
    }
    if (!this.options.validateArguments) return undefined
    const validate = compile(entry)
    if (validate === null) return undefined
    const verdict = validate(args ?? NO_ARGS)
    return verdict.valid
      ? undefined
      : new InvalidToolArguments({
          server: this.server.name,
          tool: entry.tool.name,
          detail: verdict.errorMessage.replace(/(^|, )data/g, "$1arguments")
        })
  }

  /**
   * Why a successful result breaks the tool's `outputSchema` (the checks of the SDK's
   * `Client.callTool`, made here once instead), or undefined when it does not.
   */
  outputError(entry: ToolEntry, result: CallToolResult): RequestError | undefined {
    if (!this.options.validateOutput || entry.tool.outputSchema === undefined || result.isError === true) {
      return undefined
    }
    const fail = (code: number, detail: string) =>
      new RequestError({
        server: this.server.name,
        method: "tools/call",
        tool: entry.tool.name,
        code,
        detail
      })
    if (result.structuredContent === undefined) {
      return fail(
        ErrorCode.InvalidRequest,
        "the tool has an output schema but did not return structured content"
      )
    }
    entry.validateOutput ??= compileSchema(entry.tool.outputSchema)
    const verdict = entry.validateOutput?.(result.structuredContent)
    return verdict === undefined || verdict.valid
      ? undefined
      : fail(
          ErrorCode.InvalidParams,
          `structured content does not match the tool's output schema: ${verdict.errorMessage}`
        )
  }

  #fetch(conn: Connection): Effect.Effect<Index, ServerFailure> {
    const server = this.server
    const timeoutMs = this.options.timeoutMs
    return Effect.gen({ self: this }, function* () {
      const version = this.#version
      const list: Array<Tool> = []
      let cursor: string | undefined
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = cursor === undefined ? {} : { cursor }
        // Not `client.listTools`: that also compiles an output validator for every tool, and
        // this index validates output itself, compiling a tool's validator on its first call.
        const result = yield* request(server, conn, "tools/list", timeoutMs, (signal) =>
          conn.client.request({ method: "tools/list", params }, loadedSdk().ListToolsResultSchema, {
            signal,
            timeout: timeoutMs
          })
        )
        list.push(...result.tools)
        if (result.nextCursor === undefined || result.nextCursor === cursor) break
        cursor = result.nextCursor
      }
      const byName = new Map<string, ToolEntry>()
      for (const tool of list) byName.set(tool.name, { tool, validate: undefined, validateOutput: undefined })
      const index: Index = { conn, list, byName }
      if (this.#version === version && server.conn === conn) this.#index = index
      return index
    }).pipe(
      Effect.catchTag(["ResultTooLarge", "ToolTimeout"], (error) =>
        Effect.fail(
          new ServerCrashed({
            server: server.name,
            method: "tools/list",
            reason:
              error._tag === "ToolTimeout"
                ? `did not answer within ${timeoutMs} ms`
                : describeFailure({ kind: "overflow", limit: server.options.maxResultBytes }),
            stderr: conn.stderr
          })
        )
      ),
      tracedRequest(this.#telemetry)
    )
  }
}

// A validator for a JSON Schema, or null when Ajv cannot compile it (the check is then skipped).
const compileSchema = (input: object): JsonSchemaValidator<unknown> | null => {
  try {
    // Ajv's default dialect is draft-07; a `$schema` naming another draft would make it refuse the schema.
    const { $schema: _, ...schema } = input as JsonSchemaType & { $schema?: string }
    return validator().getValidator<unknown>(schema as JsonSchemaType)
  } catch {
    return null
  }
}

const compile = (entry: ToolEntry): JsonSchemaValidator<unknown> | null => {
  entry.validate ??= compileSchema(entry.tool.inputSchema)
  return entry.validate
}
