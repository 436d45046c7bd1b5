/**
 * `tta`: serve the gateway, write the API tree to disk, run a file of agent code, manage skills and
 * show the token table — for the servers of a `.mcp.json`. Errors print as one line; exit codes:
 * 0 ok, 1 the agent's code failed, 2 bad usage or config, 3 a server or sandbox failed.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { Tree } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import { SkillStore as Skills } from "@tta/skills"
import { Effect, Layer, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { CodeMode, type ExecuteOutcome } from "./CodeMode.ts"
import { workflows } from "./cli/workflows.ts"
import * as Gateway from "./Gateway.ts"
import * as Stack from "./Stack.ts"

export const ExitCode = { ok: 0, codeFailed: 1, usage: 2, failure: 3 } as const

/** Set by a handler; what the process exits with. */
let exitCode: number = ExitCode.ok
export const lastExitCode = () => exitCode

const progress = (message: string) => Effect.sync(() => process.stderr.write(`${message}\n`))
const out = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))

const usageTags = new Set([
  "McpConfigError",
  "PolicyConfigError",
  "ServerNotFound",
  "SkillNotFound",
  "SkillInvalid",
  "UsageError"
])

/** Any failure → one line on stderr and a meaningful exit code. */
const oneLine = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
  effect.pipe(
    Effect.asVoid,
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        const error = cause.reasons.find((r) => r._tag === "Fail")
        const value =
          error && "error" in error ? (error.error as { _tag?: string; message?: string }) : undefined
        const tag = value?._tag ?? "Error"
        const message =
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

class UsageError {
  readonly _tag = "UsageError"
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

const config = Flag.String("config").pipe(
  Flag.withAlias("c"),
  Flag.withDescription("MCP config file (.mcp.json / claude_desktop_config.json format)"),
  Flag.withDefault(".mcp.json")
)
const dir = Flag.String("dir").pipe(
  Flag.withDescription("Session directory (skills/, workspace/)"),
  Flag.withDefault(".tta")
)
const json = Flag.Boolean("json").pipe(
  Flag.withDescription("Machine-readable output"),
  Flag.withDefault(false)
)

const root = Command.make("tta").pipe(
  Command.withSharedFlags({ config, dir, json }),
  Command.withDescription("Code mode for MCP: one gateway server, a typed API, sandboxed execution")
)

const loadConfig = (path: string) =>
  Effect.gen(function* () {
    const loaded = yield* Stack.load(path)
    const n = Object.keys(loaded.mcp.mcpServers).length
    yield* progress(
      `config ${path}: ${n} server${n === 1 ? "" : "s"} (${Object.keys(loaded.mcp.mcpServers).join(", ")})`
    )
    return loaded
  })

const stackLayer = (
  flags: { config: string; dir: string },
  extra: Stack.StackOptions | undefined = undefined
) =>
  Layer.unwrap(
    Effect.map(loadConfig(flags.config), (loaded) =>
      Stack.layer(loaded.mcp, {
        dir: flags.dir,
        policy: loaded.codeMode.policy as Stack.StackOptions["policy"],
        pii: loaded.codeMode.pii,
        typeCheck: loaded.codeMode.typeCheck,
        sandbox: loaded.codeMode.sandbox,
        ...extra
      })
    )
  )

const serve = Command.make(
  "serve",
  {
    http: Flag.Int("http").pipe(
      Flag.withDescription("Serve Streamable HTTP on this port (0: any free port) instead of stdio"),
      Flag.optional
    ),
    host: Flag.String("host").pipe(Flag.withDefault("127.0.0.1")),
    typecheck: Flag.Boolean("typecheck").pipe(
      Flag.withDescription("Type-check agent code before it runs (--no-typecheck to skip)"),
      Flag.withDefault(true)
    )
  },
  (flags) =>
    Effect.gen(function* () {
      const { config, dir } = yield* root
      const loaded = yield* loadConfig(config)
      const options: Stack.StackOptions = {
        dir,
        policy: loaded.codeMode.policy as Stack.StackOptions["policy"],
        pii: loaded.codeMode.pii,
        typeCheck: flags.typecheck && loaded.codeMode.typeCheck !== false,
        sandbox: loaded.codeMode.sandbox
      }
      const port = Option.getOrUndefined(flags.http)
      const program =
        port !== undefined
          ? Effect.gen(function* () {
              // Each HTTP client gets its own session (workspace, PII tokens); stdio has one client.
              const perSession = yield* Stack.perSession(options)
              const gateway = yield* Gateway.serveHttp({ host: flags.host, port, perSession })
              yield* progress(`tta gateway listening on ${gateway.url}`)
              return yield* Effect.never
            })
          : Effect.gen(function* () {
              yield* Gateway.serveStdio()
              yield* progress("tta gateway on stdio")
              return yield* Effect.never
            })
      yield* Effect.scoped(program).pipe(Effect.provide(Stack.layer(loaded.mcp, options)))
    }).pipe(oneLine)
).pipe(Command.withDescription("Serve the gateway MCP server (stdio, or Streamable HTTP with --http)"))

const gen = Command.make("gen", { out: Argument.String("dir") }, ({ out: target }) =>
  Effect.gen(function* () {
    const { config, json: asJson } = yield* root
    const loaded = yield* loadConfig(config)
    const files = yield* Effect.gen(function* () {
      const hub = yield* McpHub
      yield* progress("connecting servers and listing tools…")
      const catalog = yield* hub.catalog()
      for (const s of catalog.servers) {
        yield* progress(`  ${s.name}: ${s.error ? `unavailable (${s.error})` : `${s.tools.length} tools`}`)
      }
      return yield* Tree.generate(catalog)
    }).pipe(Effect.provide(McpHub.layerConfig(loaded.mcp)))
    for (const [path, source] of Object.entries(files)) {
      const full = join(resolve(target), path)
      yield* Effect.promise(async () => {
        await mkdir(dirname(full), { recursive: true })
        await writeFile(full, source)
      })
    }
    if (asJson) yield* out(JSON.stringify({ dir: resolve(target), files: Object.keys(files) }))
    else
      yield* out(`wrote ${Object.keys(files).length} files to ${resolve(target)} (start at servers/index.ts)`)
  }).pipe(oneLine)
).pipe(Command.withDescription("Write the generated API tree to a directory, for browsing"))

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

const exec = Command.make("exec", { file: Argument.String("file.ts") }, ({ file }) =>
  Effect.gen(function* () {
    const { config, dir, json: asJson } = yield* root
    const code = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: () => new UsageError(`cannot read ${file}`)
    })
    const outcome = yield* CodeMode.use((codeMode) => codeMode.execute(code)).pipe(
      Effect.provide(stackLayer({ config, dir }))
    )
    yield* printOutcome(outcome, asJson)
  }).pipe(oneLine)
).pipe(Command.withDescription("Run a file of agent code against the configured servers"))

const skillsLayer = (d: string) => Skills.SkillStore.layerNode({ root: resolve(d) })

const skillsLs = Command.make("ls", {}, () =>
  Effect.gen(function* () {
    const { dir, json: asJson } = yield* root
    const list = yield* Skills.SkillStore.use((s) => s.list()).pipe(Effect.provide(skillsLayer(dir)))
    if (asJson) return yield* out(JSON.stringify(list))
    if (list.length === 0) return yield* out("no skills")
    for (const s of list) {
      yield* out(
        `${s.name}  v${s.chosen}/${s.latest}  runs ${s.runs} (failures ${s.failures})  ${s.description}`
      )
    }
  }).pipe(oneLine)
).pipe(Command.withDescription("List saved skills"))

const skillsShow = Command.make("show", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const { dir, json: asJson } = yield* root
    const skill = yield* Skills.SkillStore.use((s) => s.get(name)).pipe(Effect.provide(skillsLayer(dir)))
    if (asJson) return yield* out(JSON.stringify(skill))
    yield* out(`# ${skill.name} v${skill.version} (latest v${skill.latest})\n${skill.description}\n`)
    yield* out(skill.code)
  }).pipe(oneLine)
).pipe(Command.withDescription("Show a skill's chosen version"))

const skillsRm = Command.make("rm", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const { dir } = yield* root
    yield* Skills.SkillStore.use((s) => s.remove(name)).pipe(Effect.provide(skillsLayer(dir)))
    yield* out(`removed ${name}`)
  }).pipe(oneLine)
).pipe(Command.withDescription("Remove a skill and all its versions"))

const skills = Command.make("skills").pipe(
  Command.withSubcommands([skillsLs, skillsShow, skillsRm]),
  Command.withDescription("Manage saved skills")
)

const tokens = Command.make("tokens", {}, () =>
  Effect.gen(function* () {
    const { config, json: asJson } = yield* root
    const loaded = yield* loadConfig(config)
    const catalog = yield* McpHub.use((hub) => hub.catalog()).pipe(
      Effect.provide(McpHub.layerConfig(loaded.mcp))
    )
    const figures = yield* TokenAccount.account({
      catalog,
      calls: [],
      codeMode: { tools: Gateway.tools, read: [], code: [], returned: [] }
    })
    if (asJson) return yield* out(JSON.stringify(figures))
    const count = catalog.servers.reduce((n, s) => n + s.tools.length, 0)
    yield* out(
      `Tool definitions an agent carries before doing any work (${count} tools, ${catalog.servers.length} servers):\n`
    )
    yield* out(TokenAccount.table([{ label: "definitions", figures }]))
  }).pipe(oneLine)
).pipe(Command.withDescription("Token cost of the configured servers' definitions: direct vs code mode"))

export const command = root.pipe(
  Command.withSubcommands([serve, gen, exec, skills, tokens, workflows(root, oneLine)])
)

/** Runs `tta` with the given arguments (without `node` and the script). */
export const run = (args: ReadonlyArray<string>) => Command.runWith(command, { version: "0.1.0" })(args)
