/**
 * The MCP server configs of the usual clients, read as they are: `mcpServers` of Claude Code
 * (`.mcp.json`, entries with `type`), Claude Desktop (`claude_desktop_config.json`, other
 * top-level keys ignored) and Cursor (`.cursor/mcp.json`, a remote entry may have only `url`),
 * and `servers` of VS Code (`.vscode/mcp.json`, with `envFile` and `inputs`). Interpolation:
 * `${VAR}`, `${VAR:-default}`, `${env:VAR}`, `${workspaceFolder}`, `${userHome}`; VS Code's
 * `${input:id}` prompts cannot be answered here and are a typed error. An entry that runs the
 * gateway itself (`tta serve`) is skipped, so a gateway reading its client's file does not
 * start itself.
 */
import { readFile } from "node:fs/promises"
import { basename, dirname, isAbsolute, join } from "node:path"
import { Effect, Schema, SchemaIssue } from "effect"
import { McpConfigError } from "./Errors.ts"
import { type Env, interpolate, readEnvFile } from "./Interpolation.ts"

export { type Env, interpolate, parseEnvFile } from "./Interpolation.ts"

export interface StdioServerConfig {
  readonly type: "stdio"
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly cwd?: string
}

export interface HttpServerConfig {
  /** `http` is Streamable HTTP; `sse` is the legacy HTTP+SSE transport. */
  readonly type: "http" | "sse"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
}

export type ServerConfig = StdioServerConfig | HttpServerConfig

/** A decoded config: every server by name, variables already substituted. */
export interface McpConfig {
  readonly mcpServers: Readonly<Record<string, ServerConfig>>
  /** Entries left out, and why (an entry that runs the gateway itself). */
  readonly skipped?: ReadonlyArray<{ readonly server: string; readonly reason: string }>
}

/** Where relative things resolve: `${workspaceFolder}`, `envFile`. */
export interface DecodeOptions {
  /** Default: the config file's folder (its parent for `.vscode/` and `.cursor/`), else the cwd. */
  readonly workspaceFolder?: string
}

/** The shape accepted as input (what the JSON file holds). */
export interface Input {
  readonly mcpServers: Readonly<
    Record<
      string,
      | {
          readonly type?: "stdio"
          readonly command: string
          readonly args?: ReadonlyArray<string>
          readonly env?: Readonly<Record<string, string>>
          readonly cwd?: string
        }
      | {
          readonly type: "http" | "sse"
          readonly url: string
          readonly headers?: Readonly<Record<string, string>>
        }
    >
  >
}

const Servers = Schema.Record(Schema.String, Schema.Unknown)
const Root = Schema.Struct({ mcpServers: Schema.optionalKey(Servers), servers: Schema.optionalKey(Servers) })
const Kind = Schema.Struct({ type: Schema.optionalKey(Schema.Literals(["stdio", "http", "sse"])) })
const StringMap = Schema.Record(Schema.String, Schema.String)
const Stdio = Schema.Struct({
  command: Schema.NonEmptyString,
  args: Schema.optionalKey(Schema.Array(Schema.String)),
  env: Schema.optionalKey(StringMap),
  envFile: Schema.optionalKey(Schema.String),
  cwd: Schema.optionalKey(Schema.String)
})
const Remote = Schema.Struct({ url: Schema.NonEmptyString, headers: Schema.optionalKey(StringMap) })

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )

// Decode `input` with `schema`; the first issue becomes an error naming the server and field.
const decodeWith = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  input: unknown,
  server: string | undefined,
  prefix: ReadonlyArray<PropertyKey> = []
): Effect.Effect<S["Type"], McpConfigError> =>
  Schema.decodeUnknownEffect(schema)(input).pipe(
    Effect.mapError((error) => {
      const first = formatIssues(error.issue).issues[0]
      const path = (first?.path ?? []).map((seg) => (typeof seg === "object" && seg !== null ? seg.key : seg))
      const field = pathText([...prefix, ...path])
      return new McpConfigError({
        ...(server === undefined ? {} : { server }),
        ...(field === "" ? {} : { field }),
        detail: first?.message ?? error.message
      })
    })
  )

interface Where {
  readonly env: Env
  readonly workspaceFolder: string
}

const interpolateMap = Effect.fnUntraced(function* (
  map: Readonly<Record<string, string>> | undefined,
  where: Where,
  server: string,
  field: string
) {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(map ?? {})) {
    out[key] = yield* interpolate(value, where.env, server, `${field}.${key}`, where.workspaceFolder)
  }
  return out
})

// An entry that runs this project's gateway (`tta serve`, `npx @tta/code-mode serve`, ...).
const runsGateway = (config: StdioServerConfig): boolean =>
  config.args.includes("serve") &&
  [config.command, ...config.args].some(
    (w) => /(^|[\\/])tta(\.[cm]?[jt]s|\.cmd)?$/.test(w) || w.includes("@tta/code-mode")
  )

const decodeRemote = Effect.fnUntraced(function* (
  name: string,
  raw: unknown,
  type: "http" | "sse",
  where: Where
) {
  const remote = yield* decodeWith(Remote, raw, name)
  const url = yield* interpolate(remote.url, where.env, name, "url", where.workspaceFolder)
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    return yield* new McpConfigError({
      server: name,
      field: "url",
      detail: `expected an http(s) URL, got "${url}"`
    })
  }
  const headers = yield* interpolateMap(remote.headers, where, name, "headers")
  return { type, url, headers } satisfies HttpServerConfig
})

const decodeServer = Effect.fnUntraced(function* (name: string, raw: unknown, where: Where) {
  if (name.trim() === "") {
    return yield* new McpConfigError({ detail: "a server name must not be empty" })
  }
  const { type } = yield* decodeWith(Kind, raw, name)
  // Cursor writes a remote server as just `url` (Streamable HTTP).
  const urlOnly =
    type === undefined && typeof raw === "object" && raw !== null && "url" in raw && !("command" in raw)
  if (type === "http" || type === "sse" || urlOnly)
    return yield* decodeRemote(name, raw, type ?? "http", where)
  const stdio = yield* decodeWith(Stdio, raw, name)
  const at = (text: string, field: string) => interpolate(text, where.env, name, field, where.workspaceFolder)
  const command = yield* at(stdio.command, "command")
  const args: Array<string> = []
  for (const [i, arg] of (stdio.args ?? []).entries()) args.push(yield* at(arg, `args[${i}]`))
  let fromFile: Record<string, string> = {}
  if (stdio.envFile !== undefined) {
    const path = yield* at(stdio.envFile, "envFile")
    fromFile = yield* readEnvFile(isAbsolute(path) ? path : join(where.workspaceFolder, path), name)
  }
  const envOut = { ...fromFile, ...(yield* interpolateMap(stdio.env, where, name, "env")) }
  const cwd = stdio.cwd === undefined ? undefined : yield* at(stdio.cwd, "cwd")
  const config: StdioServerConfig = {
    type: "stdio",
    command,
    args,
    env: envOut,
    ...(cwd === undefined ? {} : { cwd })
  }
  return config
})

/**
 * Decodes a parsed config (file contents after JSON.parse): `mcpServers` (Claude Code,
 * Claude Desktop, Cursor) or `servers` (VS Code).
 */
export const decode = (
  input: unknown,
  env: Env = process.env,
  options: DecodeOptions = {}
): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.gen(function* () {
    const root = yield* decodeWith(Root, input, undefined)
    const entries = { ...root.servers, ...root.mcpServers }
    if (root.mcpServers === undefined && root.servers === undefined) {
      return yield* new McpConfigError({
        field: "mcpServers",
        detail: "expected `mcpServers` (Claude Code, Claude Desktop, Cursor) or `servers` (VS Code)"
      })
    }
    const where: Where = { env, workspaceFolder: options.workspaceFolder ?? process.cwd() }
    const mcpServers: Record<string, ServerConfig> = {}
    const skipped: Array<{ server: string; reason: string }> = []
    for (const [name, raw] of Object.entries(entries)) {
      const server = yield* decodeServer(name, raw, where)
      if (server.type === "stdio" && runsGateway(server)) {
        skipped.push({ server: name, reason: "it runs the gateway itself (tta serve)" })
      } else {
        mcpServers[name] = server
      }
    }
    return skipped.length === 0 ? { mcpServers } : { mcpServers, skipped }
  })

/** Decodes config text (JSON). */
export const parse = (
  text: string,
  env: Env = process.env,
  source = "config",
  options: DecodeOptions = {}
): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) => new McpConfigError({ detail: `${source} is not valid JSON: ${(e as Error).message}` })
  }).pipe(Effect.flatMap((json) => decode(json, env, options)))

/** The workspace a config file belongs to: its folder, or the parent of `.vscode/` / `.cursor/`. */
export const workspaceOf = (path: string): string => {
  const folder = dirname(path)
  return basename(folder) === ".vscode" || basename(folder) === ".cursor" ? dirname(folder) : folder
}

/** Reads and decodes a client's config file (`.mcp.json`, `.vscode/mcp.json`, ...). */
export const load = (path: string, env: Env = process.env): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      new McpConfigError({ detail: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
  }).pipe(Effect.flatMap((text) => parse(text, env, path, { workspaceFolder: workspaceOf(path) })))
