/**
 * The whole code-mode stack from one config file: the `.mcp.json` `mcpServers` (for McpHub) plus an
 * optional `codeMode` section (policy, PII, type-check, sandbox backend) — what `tta` and the demo run.
 */
import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { McpConfig, McpConfigError, McpHub, type McpHubOptions } from "@tta/mcp"
import {
  type MissingPeerDependency,
  Sandbox,
  Choice as SandboxChoice,
  type SandboxUnavailable
} from "@tta/sandbox"
import { type SkillStoreError, SkillStore as Skills } from "@tta/skills"
import { Context, Effect, Layer, Schema, Scope } from "effect"
import type { CodeMode } from "./CodeMode.ts"
import * as LearnedTypes from "./LearnedTypes.ts"
import type * as Pii from "./Pii.ts"
import type * as Policy from "./Policy.ts"
import * as Session from "./Session.ts"
import * as TypeCheck from "./TypeCheck.ts"

const RuleSchema = Schema.Union([
  Schema.String,
  Schema.Struct({
    tool: Schema.String,
    readOnly: Schema.optionalKey(Schema.Boolean),
    destructive: Schema.optionalKey(Schema.Boolean)
  })
])

/** The `codeMode` section of the config file. */
export const CodeModeSection = Schema.Struct({
  policy: Schema.optionalKey(
    Schema.Struct({
      deny: Schema.optionalKey(Schema.Array(RuleSchema)),
      approve: Schema.optionalKey(Schema.Array(RuleSchema)),
      allow: Schema.optionalKey(Schema.Array(RuleSchema)),
      default: Schema.optionalKey(Schema.Literals(["allow", "deny", "approve"]))
    })
  ),
  pii: Schema.optionalKey(Schema.Boolean),
  typeCheck: Schema.optionalKey(Schema.Boolean),
  /** Learn output types of tools without outputSchema from their results (default on). */
  learnTypes: Schema.optionalKey(LearnedTypes.Setting),
  /** A registered backend's name, or `{ "backend": name, ...its options }` (E2B: apiKey, sandboxTimeoutMs, node, workdir). */
  sandbox: Schema.optionalKey(SandboxChoice),
  /** Downstream tools the gateway offers beside its own, passed through: `"server/tool"`, `"server/*"`. */
  direct: Schema.optionalKey(Schema.Array(Schema.String))
})
export type CodeModeSection = typeof CodeModeSection.Type

export interface StackConfig {
  readonly mcp: McpConfig.McpConfig
  readonly codeMode: CodeModeSection
}

/** Reads a config file: `mcpServers` as Claude Code / Desktop write it, plus `codeMode`. */
export const load = Effect.fn("Stack.load")(function* (path: string) {
  const text = yield* Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      new McpConfigError({ detail: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
  })
  const mcp = yield* McpConfig.parse(text, process.env, path)
  const raw = (JSON.parse(text) as { codeMode?: unknown }).codeMode ?? {}
  const codeMode = yield* Schema.decodeUnknownEffect(CodeModeSection)(raw).pipe(
    Effect.mapError((e) => new McpConfigError({ detail: `${path}: codeMode: ${e.message}` }))
  )
  return { mcp, codeMode } satisfies StackConfig
})

export interface StackOptions {
  /** Session directory: skills in `<dir>/skills`, files in `<dir>/workspace`. */
  readonly dir: string
  readonly typeCheck?: boolean | undefined
  readonly pii?: boolean | ReadonlyArray<Pii.PiiPattern> | undefined
  readonly policy?: Policy.PolicyConfig | undefined
  readonly approve?: Session.Options["approve"]
  readonly sandbox?: SandboxChoice | undefined
  readonly learnTypes?: LearnedTypes.Setting | undefined
  readonly limits?: Session.Options["limits"]
  readonly hub?: McpHubOptions | undefined
  readonly direct?: ReadonlyArray<string> | undefined
}

/** Everything a code-mode session runs on. */
export type Services = CodeMode | McpHub | Sandbox | Skills.SkillStore

/**
 * CodeMode with everything under it — McpHub for `mcp`, a sandbox, a skill store in `dir` — all
 * of them provided, so a workflow can also call a tool or read a skill directly.
 */
export const layer = (
  mcp: McpConfig.McpConfig,
  options: StackOptions
): Layer.Layer<
  Services,
  Policy.PolicyConfigError | SandboxUnavailable | SkillStoreError | MissingPeerDependency
> => {
  const dir = resolve(options.dir)
  return Session.layer({
    dir,
    policy: options.policy,
    approve: options.approve,
    pii: options.pii,
    typeCheck: options.typeCheck,
    limits: options.limits,
    learnTypes: options.learnTypes,
    direct: options.direct
  }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        // Servers may ask for sampling and elicitation; the gateway passes them to its client.
        McpHub.layerConfig(mcp, { capabilities: { sampling: {}, elicitation: {} }, ...options.hub }),
        options.sandbox === undefined ? Sandbox.layer : Sandbox.layerFor(options.sandbox),
        Skills.SkillStore.layerNode({ root: dir })
      )
    )
  )
}

/**
 * For a gateway serving several clients: a factory of one CodeMode per client session, each with its
 * own workspace (`<dir>/sessions/<id>/workspace`) and PII tokens, sharing the servers, the sandbox,
 * the skill store and one warm type checker.
 */
export const perSession = Effect.fnUntraced(function* (
  options: StackOptions
): Effect.fn.Return<
  (
    id: string
  ) => Effect.Effect<CodeMode["Service"], Policy.PolicyConfigError | MissingPeerDependency, Scope.Scope>,
  MissingPeerDependency,
  McpHub | Sandbox | Skills.SkillStore
> {
  // Without the caller's Scope: a session's scoped parts (its change subscription) must close with
  // the session's own scope, not live on in the gateway's.
  const services = Context.omit(Scope.Scope)(yield* Effect.context<McpHub | Sandbox | Skills.SkillStore>())
  const checker = yield* TypeCheck.resolve(options.typeCheck)
  // One account of learned types for all sessions: each learns from its calls, all see the types.
  const learned =
    options.learnTypes === false
      ? undefined
      : yield* LearnedTypes.make(resolve(options.dir), options.learnTypes)
  return (id: string) =>
    Session.make({
      dir: join(resolve(options.dir), "sessions", id),
      policy: options.policy,
      approve: options.approve,
      pii: options.pii,
      // Resolved once above, shared: no session looks for TypeScript again.
      typeCheck: checker !== undefined,
      limits: options.limits,
      direct: options.direct,
      checker,
      learned,
      learnTypes: options.learnTypes,
      root: resolve(options.dir),
      sessionId: id
    }).pipe(Effect.provide(services))
})

/** `layer` from a config file, its `codeMode` section merged under explicit options. */
export const layerFile = (path: string, options: StackOptions) =>
  Layer.unwrap(
    Effect.map(load(path), (config) =>
      layer(config.mcp, {
        ...options,
        policy: options.policy ?? (config.codeMode.policy as Policy.PolicyConfig | undefined),
        pii: options.pii ?? config.codeMode.pii,
        typeCheck: options.typeCheck ?? config.codeMode.typeCheck,
        sandbox: options.sandbox ?? config.codeMode.sandbox,
        learnTypes: options.learnTypes ?? config.codeMode.learnTypes
      })
    )
  )
