/**
 * The `mcpServers` config of Claude Code (`.mcp.json`) and Claude Desktop
 * (`claude_desktop_config.json`), with `${VAR}` / `${VAR:-default}` interpolation.
 */
import { readFile } from "node:fs/promises"
import { Effect, Schema, SchemaIssue } from "effect"
import { McpConfigError } from "./Errors.ts"

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

export type Env = Readonly<Record<string, string | undefined>>

const Root = Schema.Struct({ mcpServers: Schema.Record(Schema.String, Schema.Unknown) })
const Kind = Schema.Struct({ type: Schema.optionalKey(Schema.Literals(["stdio", "http", "sse"])) })
const StringMap = Schema.Record(Schema.String, Schema.String)
const Stdio = Schema.Struct({
  command: Schema.NonEmptyString,
  args: Schema.optionalKey(Schema.Array(Schema.String)),
  env: Schema.optionalKey(StringMap),
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

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Substitutes `${VAR}` and `${VAR:-default}` (default when VAR is unset or empty, as in
 * the shell). An unset variable without a default is an error naming server and field.
 */
export const interpolate = (
  text: string,
  env: Env,
  server: string,
  field: string
): Effect.Effect<string, McpConfigError> => {
  let missing: string | undefined
  const out = text.replace(VAR, (_, name: string, fallback: string | undefined) => {
    const value = env[name]
    if (value !== undefined && value !== "") return value
    if (fallback !== undefined) return fallback
    if (value !== undefined) return value
    missing ??= name
    return ""
  })
  return missing === undefined
    ? Effect.succeed(out)
    : Effect.fail(
        new McpConfigError({
          server,
          field,
          detail: `environment variable ${missing} is not set (write \${${missing}:-default} for a fallback)`
        })
      )
}

const interpolateMap = Effect.fnUntraced(function* (
  map: Readonly<Record<string, string>> | undefined,
  env: Env,
  server: string,
  field: string
) {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(map ?? {})) {
    out[key] = yield* interpolate(value, env, server, `${field}.${key}`)
  }
  return out
})

const decodeServer = Effect.fnUntraced(function* (name: string, raw: unknown, env: Env) {
  if (name.trim() === "") {
    return yield* new McpConfigError({ detail: "a server name must not be empty" })
  }
  const { type } = yield* decodeWith(Kind, raw, name)
  if (type === "http" || type === "sse") {
    const remote = yield* decodeWith(Remote, raw, name)
    const url = yield* interpolate(remote.url, env, name, "url")
    const parsed = URL.canParse(url) ? new URL(url) : undefined
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return yield* new McpConfigError({
        server: name,
        field: "url",
        detail: `expected an http(s) URL, got "${url}"`
      })
    }
    const headers = yield* interpolateMap(remote.headers, env, name, "headers")
    return { type, url, headers } satisfies HttpServerConfig
  }
  const stdio = yield* decodeWith(Stdio, raw, name)
  const command = yield* interpolate(stdio.command, env, name, "command")
  const args: Array<string> = []
  for (const [i, arg] of (stdio.args ?? []).entries()) {
    args.push(yield* interpolate(arg, env, name, `args[${i}]`))
  }
  const envOut = yield* interpolateMap(stdio.env, env, name, "env")
  const cwd = stdio.cwd === undefined ? undefined : yield* interpolate(stdio.cwd, env, name, "cwd")
  const config: StdioServerConfig = {
    type: "stdio",
    command,
    args,
    env: envOut,
    ...(cwd === undefined ? {} : { cwd })
  }
  return config
})

/** Decodes a parsed `mcpServers` value (file contents after JSON.parse). */
export const decode = (input: unknown, env: Env = process.env): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.gen(function* () {
    const root = yield* decodeWith(Root, input, undefined)
    const mcpServers: Record<string, ServerConfig> = {}
    for (const [name, raw] of Object.entries(root.mcpServers)) {
      mcpServers[name] = yield* decodeServer(name, raw, env)
    }
    return { mcpServers }
  })

/** Decodes config text (JSON). */
export const parse = (
  text: string,
  env: Env = process.env,
  source = "config"
): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) => new McpConfigError({ detail: `${source} is not valid JSON: ${(e as Error).message}` })
  }).pipe(Effect.flatMap((json) => decode(json, env)))

/** Reads and decodes a `.mcp.json` / `claude_desktop_config.json` file. */
export const load = (path: string, env: Env = process.env): Effect.Effect<McpConfig, McpConfigError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      new McpConfigError({ detail: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
  }).pipe(Effect.flatMap((text) => parse(text, env, path)))
