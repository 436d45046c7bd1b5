/**
 * The code-mode session as a service: what the gateway, the CLI and the demo call. One session owns
 * its downstream servers, its generated API tree, its skills and its `workspace/` directory.
 */
import type { TokenAccount } from "@tta/observability"
import { Context, type Effect, Schema } from "effect"

export type Detail = "name" | "description" | "full"

export interface SearchHit {
  readonly server: string
  readonly tool: string
  /** Path of the tool's file in the API tree, e.g. `servers/filesystem/readTextFile.ts`. */
  readonly path: string
  readonly description?: string | undefined
  /** The generated source, for `detail: "full"`. */
  readonly source?: string | undefined
}

export interface LogLine {
  readonly level: "log" | "info" | "warn" | "error" | "debug"
  readonly message: string
}

export interface ToolCallRecord {
  readonly server: string
  readonly tool: string
  readonly ok: boolean
  readonly durationMs: number
  /** `denied` when the policy refused the call, `error` when the server or transport failed. */
  readonly outcome: "ok" | "error" | "denied"
  readonly error?: string | undefined
}

export interface ExecuteOutcome {
  readonly value: unknown
  readonly logs: ReadonlyArray<LogLine>
  readonly toolCalls: ReadonlyArray<ToolCallRecord>
  readonly durationMs: number
  readonly truncated: boolean
  /** This execution's token account (o200k_base): direct, tool search and code mode. */
  readonly tokens: TokenAccount.Figures
}

export interface SkillSummary {
  readonly name: string
  readonly description: string
  readonly version: number
  readonly tags: ReadonlyArray<string>
  readonly runs: number
  readonly failures: number
}

/** Agent code failed: a type error, a throw, or a sandbox limit. The model sees `message`. */
export class ExecutionError extends Schema.TaggedError<ExecutionError>()("ExecutionError", {
  kind: Schema.Literals(["type-check", "runtime", "limit", "denied", "internal"]),
  message: Schema.String,
  line: Schema.optional(Schema.Number),
  logs: Schema.optional(Schema.Array(Schema.Struct({ level: Schema.String, message: Schema.String })))
}) {}

export class ApiFileNotFound extends Schema.TaggedError<ApiFileNotFound>()("ApiFileNotFound", {
  path: Schema.String,
  suggestions: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const hint = this.suggestions.length > 0 ? ` Did you mean: ${this.suggestions.join(", ")}?` : ""
    return `No file "${this.path}" in the generated API.${hint} Start at servers/index.ts.`
  }
}

/** save_skill refused code that does not type-check against the API and the other skills. */
export class SkillTypeError extends Schema.TaggedError<SkillTypeError>()("SkillTypeError", {
  name: Schema.String,
  diagnostics: Schema.Array(
    Schema.Struct({ line: Schema.Number, column: Schema.Number, code: Schema.Number, message: Schema.String })
  )
}) {
  override get message(): string {
    const lines = this.diagnostics.map(
      (d) => `skills/${this.name}/index.ts:${d.line}:${d.column} - error TS${d.code}: ${d.message}`
    )
    return `Skill "${this.name}" was not saved: its code does not type-check:\n${lines.join("\n")}`
  }
}

export class CodeModeError extends Schema.TaggedError<CodeModeError>()("CodeModeError", {
  operation: Schema.String,
  message: Schema.String
}) {}

export class CodeMode extends Context.Service<
  CodeMode,
  {
    readonly searchTools: (
      query: string,
      options?: { readonly detail?: Detail; readonly limit?: number }
    ) => Effect.Effect<ReadonlyArray<SearchHit>, CodeModeError>
    readonly readApi: (path: string) => Effect.Effect<string, ApiFileNotFound | CodeModeError>
    readonly execute: (code: string) => Effect.Effect<ExecuteOutcome, ExecutionError | CodeModeError>
    readonly saveSkill: (input: {
      readonly name: string
      readonly description: string
      readonly code: string
      readonly tags?: ReadonlyArray<string>
    }) => Effect.Effect<SkillSummary, SkillTypeError | CodeModeError>
    readonly listSkills: (query?: string) => Effect.Effect<ReadonlyArray<SkillSummary>, CodeModeError>
    /** The whole session's token account: every definition, call, read, code and returned value so far. */
    readonly tokenAccount: () => Effect.Effect<TokenAccount.Figures, CodeModeError>
    /** Every tool call made from sandboxed code in this session, in order. */
    readonly toolCalls: () => Effect.Effect<ReadonlyArray<ToolCallRecord>>
  }
>()("@tta/code-mode/CodeMode") {}
