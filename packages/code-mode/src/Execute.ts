/**
 * One execution of agent code: type-check it against the mounted files, run it in the sandbox with
 * the session's host functions, record the runs of the skills it imports, and account its tokens.
 */
import type { McpHub } from "@tta/mcp"
import type { Limits, LogEntry, Sandbox, Errors as SandboxErrors } from "@tta/sandbox"
import type { SkillStore as Skills } from "@tta/skills"
import { Clock, Effect } from "effect"
import type { Api } from "./ApiTree.ts"
import { type CodeModeError, type ExecuteOutcome, ExecutionError } from "./CodeMode.ts"
import * as Responses from "./gateway/Responses.ts"
import * as HostCalls from "./HostCalls.ts"
import type { LearnedTypes } from "./LearnedTypes.ts"
import type * as Ledger from "./Ledger.ts"
import * as Notify from "./Notify.ts"
import type * as Pii from "./Pii.ts"
import type * as Policy from "./Policy.ts"
import * as ResourceApi from "./ResourceApi.ts"
import type * as Scrub from "./Scrub.ts"
import * as TypeCheck from "./TypeCheck.ts"
import type * as Workspace from "./Workspace.ts"

export interface Deps {
  readonly options: {
    readonly approve?: ((request: Policy.CallRequest) => Effect.Effect<boolean>) | undefined
    readonly callTimeout?: number | undefined
    readonly limits?: Limits.Limits | undefined
  }
  readonly hub: McpHub["Service"]
  readonly sandbox: Sandbox["Service"]
  readonly skills: Skills.SkillStore["Service"]
  readonly policy: Policy.Policy
  readonly tokenizer: Pii.Tokenizer | undefined
  readonly checker: TypeCheck.Checker | undefined
  readonly workspace: ReturnType<typeof Workspace.hostFunction>
  readonly ledger: Ledger.Ledger
  readonly api: Effect.Effect<Api, CodeModeError>
  readonly mounted: Effect.Effect<Record<string, string>, CodeModeError>
  /** Applied to every error a host function hands back to the code. */
  readonly scrub: Scrub.Scrubber
  /** Learns output types from results, for tools that declare no outputSchema. */
  readonly learned?: LearnedTypes | undefined
}

/** A host function whose failures reach the code with the gateway's paths and session id scrubbed. */
const scrubbed =
  <Args extends ReadonlyArray<unknown>, A, E>(
    scrub: Scrub.Scrubber,
    f: (...args: Args) => Effect.Effect<A, E>
  ) =>
  (...args: Args) =>
    Effect.mapError(f(...args), scrub.error)

/** `./skills/<name>/index.ts` imports in agent code: their runs go into the skill's statistics. */
const importedSkills = (code: string): Array<string> => [
  ...new Set(
    [...code.matchAll(/["']\.\/skills\/([a-z0-9][a-z0-9-]*)\/index(?:\.ts)?["']/g)].map((m) => m[1]!)
  )
]

/** What the code printed before it failed: the person debugging needs it most exactly then. */
const logsOf = (e: SandboxErrors.SandboxError) => {
  const logs = "logs" in e ? (e.logs as ReadonlyArray<LogEntry> | undefined) : undefined
  return logs === undefined || logs.length === 0
    ? {}
    : { logs: logs.map((l) => ({ level: l.level, message: l.message })) }
}

const toExecutionError = (e: SandboxErrors.SandboxError): ExecutionError => {
  switch (e._tag) {
    case "LimitExceeded":
      return new ExecutionError({ kind: "limit", message: e.message, ...logsOf(e) })
    case "CodeError": {
      const line = /agent\.ts:(\d+)/.exec(e.stack)?.[1]
      return new ExecutionError({
        kind: "runtime",
        message: e.stack.includes(e.message) ? e.stack : `${e.name}: ${e.message}\n${e.stack}`,
        ...(line ? { line: Number(line) } : {}),
        ...logsOf(e)
      })
    }
    case "ResultNotSerializable":
      return new ExecutionError({ kind: "runtime", message: e.message, ...logsOf(e) })
    default:
      return new ExecutionError({ kind: "internal", message: e.message })
  }
}

/**
 * An execution's outcome with its `tokens` getter: left with the ledger as a job, counted when
 * figures are asked for or when someone reads `tokens` first; the answer as the client receives it is
 * formatted then too, not on this path (from a copy made now: `outcome` gets the getter).
 */
export const withTokens = (
  ledger: Ledger.Ledger,
  execution: Omit<Parameters<Ledger.Ledger["execution"]>[0], "response">,
  outcome: Omit<ExecuteOutcome, "tokens">
): ExecuteOutcome => {
  const answer = { ...outcome, tokens: undefined as never }
  const tokens = ledger.execution({
    ...execution,
    response: () => Responses.execute(answer, { verbose: false })
  })
  return Object.defineProperty(outcome, "tokens", { get: tokens, enumerable: true }) as ExecuteOutcome
}

/** The session's `execute`. */
export const make = ({
  options,
  hub,
  sandbox,
  skills,
  policy,
  tokenizer,
  checker,
  workspace,
  ledger,
  scrub,
  api,
  mounted,
  learned
}: Deps) =>
  Effect.fn("codeMode.execute")(function* (code: string) {
    const { catalog, annotations } = yield* api
    const files = yield* mounted
    if (checker) {
      checker.setFiles(files)
      const diagnostics = checker.check(code)
      if (diagnostics.length > 0) {
        const message = `Type errors (nothing was run):\n${TypeCheck.format(diagnostics)}`
        ledger.execution({ catalog, calls: [], code, response: Responses.error(message) })
        return yield* new ExecutionError({ kind: "type-check", message, line: diagnostics[0]!.line })
      }
    }
    // The versions mounted now are the ones whose runs get recorded; only read when code imports skills.
    const usedSkills = importedSkills(code)
    const skillVersions = new Map(
      usedSkills.length === 0
        ? []
        : (yield* skills.list().pipe(Effect.orElseSucceed(() => []))).map((s) => [s.name, s.chosen])
    )
    const calls: Array<Ledger.FullCall> = []
    // The request's client gets each console line as the code writes it (scrubbed like the answer).
    const live = (yield* Notify.Reporter)?.log
    const started = yield* Clock.currentTimeMillis
    const recordSkillRuns = (ok: boolean) =>
      Effect.gen(function* () {
        const durationMs = (yield* Clock.currentTimeMillis) - started
        for (const name of usedSkills) {
          const version = skillVersions.get(name)
          if (version === undefined) continue
          yield* skills
            .recordRun(name, version, { ok, durationMs, ...(ok ? {} : { error: "execution failed" }) })
            .pipe(Effect.ignore)
        }
      })
    const result = yield* sandbox
      .execute({
        code,
        files,
        host: {
          callTool: scrubbed(
            scrub,
            HostCalls.make({
              hub,
              policy,
              tokenizer,
              approve: options.approve,
              callTimeout: options.callTimeout,
              annotations,
              onValue: learned?.observe,
              onCall: (call) => {
                calls.push(call)
                ledger.record(call.record)
              }
            })
          ),
          workspace: scrubbed(scrub, workspace),
          resources: scrubbed(scrub, ResourceApi.hostFunction(hub, tokenizer))
        },
        ...(options.limits ? { limits: options.limits } : {}),
        ...(live === undefined
          ? {}
          : { onLog: (l: LogEntry) => live({ level: l.level, message: scrub.text(l.message) }) })
      })
      .pipe(
        Effect.onExit((exit) =>
          Effect.andThen(recordSkillRuns(exit._tag === "Success"), learned ? learned.save : Effect.void)
        ),
        Effect.catch((error) => {
          const mapped = toExecutionError(error)
          ledger.execution({ catalog, calls, code, response: Responses.error(mapped.message) })
          return Effect.fail(mapped)
        })
      )
    return withTokens(
      ledger,
      { catalog, calls, code },
      {
        value: result.value,
        logs: result.logs,
        toolCalls: calls.map((c) => c.record),
        durationMs: result.durationMs,
        truncated: result.truncated
      }
    )
  })
