/**
 * The variables of an MCP config: `${VAR}`, `${VAR:-default}`, `${env:VAR}`,
 * `${workspaceFolder}`, `${userHome}` (and VS Code's `${input:id}`, refused), and the `.env`
 * files VS Code entries name with `envFile`. Internal to McpConfig (re-exported there).
 */
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { Effect } from "effect"
import { McpConfigError } from "./Errors.ts"

export type Env = Readonly<Record<string, string | undefined>>

// ${input:id} | ${workspaceFolder} | ${userHome} | ${VAR} / ${env:VAR} with an optional :-default.
const VAR =
  /\$\{input:([^}]*)\}|\$\{(workspaceFolder|userHome)\}|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Substitutes `${VAR}`, `${env:VAR}` and `${VAR:-default}` (default when VAR is unset or
 * empty, as in the shell), `${workspaceFolder}` and `${userHome}`. An unset variable without
 * a default, or a VS Code `${input:id}`, is an error naming server and field.
 */
export const interpolate = (
  text: string,
  env: Env,
  server: string,
  field: string,
  workspaceFolder: string = process.cwd()
): Effect.Effect<string, McpConfigError> => {
  let missing: string | undefined
  let input: string | undefined
  const out = text.replace(
    VAR,
    (_, id: string | undefined, place: string | undefined, name: string, fallback: string | undefined) => {
      if (id !== undefined) {
        input ??= id
        return ""
      }
      if (place === "workspaceFolder") return workspaceFolder
      if (place === "userHome") return env.HOME ?? homedir()
      const value = env[name]
      if (value !== undefined && value !== "") return value
      if (fallback !== undefined) return fallback
      if (value !== undefined) return value
      missing ??= name
      return ""
    }
  )
  if (input !== undefined) {
    return Effect.fail(
      new McpConfigError({
        server,
        field,
        detail: `\${input:${input}} is a VS Code input prompt, which cannot be answered outside VS Code; write the value, or \${env:NAME} to read it from the environment`
      })
    )
  }
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

/** `KEY=VALUE` lines of a .env file (comments, `export `, quotes); later keys win. */
export const parseEnvFile = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (match === null) continue
    const value = (match[2] as string).trim()
    const quoted = /^(["'])(.*)\1$/.exec(value)
    out[match[1] as string] =
      quoted !== null
        ? quoted[1] === '"'
          ? (quoted[2] as string).replace(/\\n/g, "\n")
          : (quoted[2] as string)
        : value.replace(/\s+#.*$/, "")
  }
  return out
}

export const readEnvFile = (
  path: string,
  server: string
): Effect.Effect<Record<string, string>, McpConfigError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      new McpConfigError({
        server,
        field: "envFile",
        detail: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`
      })
  }).pipe(Effect.map(parseEnvFile))
