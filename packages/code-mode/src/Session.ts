/**
 * The live CodeMode service: the API tree generated from McpHub's catalog (regenerated when a server's
 * tool list changes), the skills tree and a workspace mounted in a sandbox, tool calls from the code
 * routed through policy and PII tokenization to McpHub, and a token account of everything.
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import type { FileTree, SearchIndex, ToolCatalog } from "@tta/codegen"
import { Search, Tree } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import { type Limits, type LogEntry, Sandbox, type Errors as SandboxErrors } from "@tta/sandbox"
import { SkillStore as Skills } from "@tta/skills"
import { Clock, Effect, Layer, Ref, Semaphore, Stream } from "effect"
import {
  ApiFileNotFound,
  CodeMode,
  CodeModeError,
  type ExecuteOutcome,
  ExecutionError,
  type SearchHit,
  type SkillSummary,
  type ToolCallRecord
} from "./CodeMode.ts"
import { tools as gatewayTools } from "./Gateway.ts"
import * as Pii from "./Pii.ts"
import * as Policy from "./Policy.ts"
import * as TypeCheck from "./TypeCheck.ts"
import * as Workspace from "./Workspace.ts"

export interface Options {
  /** The session's directory; `workspace/` lives under it. */
  readonly dir: string
  readonly policy?: Policy.PolicyConfig | undefined
  /** Decides calls a policy marks `approve`; else the request's `Policy.Approver`; else they are denied. */
  readonly approve?: ((request: Policy.CallRequest) => Effect.Effect<boolean>) | undefined
  /** Tokenize emails, phone numbers (and the given patterns) in tool results. Default off. */
  readonly pii?: boolean | ReadonlyArray<Pii.PiiPattern> | undefined
  /** Type-check agent code against the API before running it. Default true. */
  readonly typeCheck?: boolean | undefined
  readonly limits?: Limits.Limits | undefined
  /** Timeout of each tool call made from the code (McpHub's default otherwise). */
  readonly callTimeout?: number | undefined
}

interface Api {
  readonly catalog: ToolCatalog
  readonly tree: FileTree
  readonly index: SearchIndex
  readonly annotations: ReadonlyMap<string, Policy.ToolAnnotations | undefined>
}

interface FullCall extends TokenAccount.ToolCall {
  readonly record: ToolCallRecord
}

/** `./skills/<name>/index.ts` imports in agent code: their runs go into the skill's statistics. */
const importedSkills = (code: string): Array<string> => [
  ...new Set(
    [...code.matchAll(/["']\.\/skills\/([a-z0-9][a-z0-9-]*)\/index(?:\.ts)?["']/g)].map((m) => m[1]!)
  )
]

const errorText = (e: unknown): string =>
  e instanceof Error || (typeof e === "object" && e !== null && "message" in e)
    ? String((e as { message: unknown }).message)
    : String(e)

const toExecutionError = (e: SandboxErrors.SandboxError, logs?: ReadonlyArray<LogEntry>): ExecutionError => {
  switch (e._tag) {
    case "LimitExceeded":
      return new ExecutionError({ kind: "limit", message: e.message })
    case "CodeError": {
      const line = /agent\.ts:(\d+)/.exec(e.stack)?.[1]
      return new ExecutionError({
        kind: "runtime",
        message: e.stack.includes(e.message) ? e.stack : `${e.name}: ${e.message}\n${e.stack}`,
        ...(line ? { line: Number(line) } : {}),
        ...(logs ? { logs } : {})
      })
    }
    case "ResultNotSerializable":
      return new ExecutionError({ kind: "runtime", message: e.message })
    default:
      return new ExecutionError({ kind: "internal", message: e.message })
  }
}

export const make = Effect.fnUntraced(function* (options: Options) {
  const hub = yield* McpHub
  const sandbox = yield* Sandbox
  const skills = yield* Skills.SkillStore
  const policy = options.policy ? yield* Policy.make(options.policy) : Policy.allowAll
  const tokenizer =
    options.pii === true ? Pii.make() : Array.isArray(options.pii) ? Pii.make(options.pii) : undefined
  const typeCheck = options.typeCheck ?? true
  const checker = typeCheck ? TypeCheck.make() : undefined
  const workspaceDir = join(options.dir, "workspace")
  mkdirSync(workspaceDir, { recursive: true })
  const workspace = Workspace.hostFunction(workspaceDir)

  const apiRef = yield* Ref.make<Api | undefined>(undefined)
  const apiLock = yield* Semaphore.make(1)
  const ledger = {
    calls: [] as Array<FullCall>,
    read: [] as Array<string>,
    code: [] as Array<string>,
    returned: [] as Array<unknown>
  }

  // A server whose tool list changed gets a fresh tree on the next use.
  const changes = yield* hub.subscribeChanges
  yield* Stream.fromSubscription(changes).pipe(
    Stream.runForEach(() => Ref.set(apiRef, undefined)),
    Effect.forkScoped
  )

  const api = apiLock.withPermits(1)(
    Effect.gen(function* () {
      const cached = yield* Ref.get(apiRef)
      if (cached) return cached
      const catalog = (yield* hub.catalog()) as ToolCatalog
      const tree = yield* Tree.generate(catalog).pipe(
        Effect.mapError((e) => new CodeModeError({ operation: "generate API", message: e.message }))
      )
      const index = Search.buildIndexSync(catalog)
      const annotations = new Map(
        catalog.servers.flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t.annotations] as const))
      )
      const fresh: Api = { catalog, tree, index, annotations }
      yield* Ref.set(apiRef, fresh)
      return fresh
    })
  )

  const skillFiles = skills
    .files()
    .pipe(Effect.mapError((e) => new CodeModeError({ operation: "read skills", message: e.message })))

  const mounted = Effect.gen(function* () {
    const { tree } = yield* api
    return { ...tree, ...(yield* skillFiles), "workspace.ts": Workspace.moduleSource } as Record<
      string,
      string
    >
  })

  const callTool = (calls: Array<FullCall>, annotations: Api["annotations"]) =>
    Effect.fnUntraced(function* (server: unknown, tool: unknown, args: unknown) {
      const started = yield* Clock.currentTimeMillis
      const s = String(server)
      const t = String(tool)
      const push = (record: Omit<ToolCallRecord, "server" | "tool">, input: unknown, result: unknown) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const full: FullCall = {
            server: s,
            tool: t,
            input,
            result,
            isError: !record.ok,
            record: { server: s, tool: t, ...record, durationMs: record.durationMs || now - started }
          }
          calls.push(full)
          ledger.calls.push(full)
        })
      const verdict = policy.check({ server: s, tool: t, annotations: annotations.get(`${s}/${t}`) })
      const approver = options.approve ?? (yield* Policy.Approver)
      const approved =
        verdict.decision === "allow"
          ? true
          : verdict.decision === "approve" && approver
            ? yield* approver({ server: s, tool: t, annotations: annotations.get(`${s}/${t}`) })
            : false
      if (!approved) {
        const error = new Policy.PolicyDeniedError({
          server: s,
          tool: t,
          rule: verdict.rule,
          reason: verdict.decision === "approve" ? "needs approval and none was given" : "not allowed"
        })
        yield* push(
          { ok: false, outcome: "denied", durationMs: 0, error: error.message },
          args,
          error.message
        )
        return yield* Effect.fail(error)
      }
      const input = tokenizer ? tokenizer.untokenize(args) : args
      const result = yield* hub
        .callTool(s, t, input, options.callTimeout === undefined ? {} : { timeout: options.callTimeout })
        .pipe(
          Effect.tapError((e) =>
            push({ ok: false, outcome: "error", durationMs: 0, error: errorText(e) }, input, errorText(e))
          )
        )
      yield* push({ ok: true, outcome: "ok", durationMs: 0 }, input, result)
      return tokenizer ? tokenizer.tokenize(result) : result
    })

  const accountOf = (
    catalog: ToolCatalog,
    calls: ReadonlyArray<TokenAccount.ToolCall>,
    read: ReadonlyArray<string>,
    code: ReadonlyArray<string>,
    returned: ReadonlyArray<unknown>
  ) =>
    TokenAccount.account({
      catalog,
      // Denied calls never reached a server, so no approach would have paid for them.
      calls: calls.filter((c) => (c as FullCall).record?.outcome !== "denied"),
      codeMode: { tools: gatewayTools, read, code, returned }
    }).pipe(Effect.mapError((e) => new CodeModeError({ operation: "token account", message: e.message })))

  const execute = Effect.fn("codeMode.execute")(function* (code: string) {
    const { catalog, annotations } = yield* api
    const files = yield* mounted
    ledger.code.push(code)
    if (checker) {
      checker.setFiles(files)
      const diagnostics = checker.check(code)
      if (diagnostics.length > 0) {
        const message = `Type errors (nothing was run):\n${TypeCheck.format(diagnostics)}`
        ledger.returned.push(message)
        return yield* new ExecutionError({ kind: "type-check", message, line: diagnostics[0]!.line })
      }
    }
    const skillVersions = new Map(
      (yield* skills.list().pipe(Effect.orElseSucceed(() => []))).map((s) => [s.name, s.chosen])
    )
    const calls: Array<FullCall> = []
    const started = yield* Clock.currentTimeMillis
    const recordSkillRuns = (ok: boolean) =>
      Effect.gen(function* () {
        const durationMs = (yield* Clock.currentTimeMillis) - started
        for (const name of importedSkills(code)) {
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
        host: { callTool: callTool(calls, annotations), workspace },
        ...(options.limits ? { limits: options.limits } : {})
      })
      .pipe(
        Effect.onExit((exit) => recordSkillRuns(exit._tag === "Success")),
        Effect.mapError((error) => {
          const mapped = toExecutionError(error)
          ledger.returned.push(mapped.message)
          return mapped
        })
      )
    const returned = [result.value, ...result.logs.map((l) => l.message)]
    ledger.returned.push(...returned)
    const tokens = yield* accountOf(catalog, calls, [], [code], returned)
    const outcome: ExecuteOutcome = {
      value: result.value,
      logs: result.logs,
      toolCalls: calls.map((c) => c.record),
      durationMs: result.durationMs,
      truncated: result.truncated,
      tokens
    }
    return outcome
  })

  const searchTools = Effect.fn("codeMode.searchTools")(function* (
    query: string,
    opts?: { readonly detail?: "name" | "description" | "full"; readonly limit?: number }
  ) {
    const { index } = yield* api
    const results = yield* Search.search(index, query, {
      detail: opts?.detail ?? "name",
      limit: opts?.limit ?? 10
    }).pipe(Effect.mapError((e) => new CodeModeError({ operation: "search_tools", message: e.message })))
    const hits: Array<SearchHit> = results.map((r) => ({
      server: r.server,
      tool: r.tool,
      path: r.path,
      ...(r.description !== undefined ? { description: r.description } : {}),
      ...(r.source !== undefined ? { source: r.source } : {})
    }))
    ledger.read.push(JSON.stringify(hits))
    return hits as ReadonlyArray<SearchHit>
  })

  const readApi = Effect.fn("codeMode.readApi")(function* (path: string) {
    const files = yield* mounted
    const clean = path.replace(/^\.?\//, "")
    const source = files[clean]
    if (source === undefined) {
      const base = clean.split("/").pop()?.replace(/\.ts$/, "").toLowerCase() ?? ""
      const suggestions = Object.keys(files)
        .filter((p) => base.length > 0 && p.toLowerCase().includes(base))
        .slice(0, 5)
      return yield* new ApiFileNotFound({ path, suggestions })
    }
    ledger.read.push(source)
    return source
  })

  const summary = (s: {
    name: string
    description: string
    tags: ReadonlyArray<string>
    chosen: number
    runs: number
    failures: number
  }): SkillSummary => ({
    name: s.name,
    description: s.description,
    version: s.chosen,
    tags: s.tags,
    runs: s.runs,
    failures: s.failures
  })

  const saveSkill = Effect.fn("codeMode.saveSkill")(function* (input: {
    readonly name: string
    readonly description: string
    readonly code: string
    readonly tags?: ReadonlyArray<string>
  }) {
    const saved = yield* skills
      .save({ name: input.name, description: input.description, code: input.code, tags: input.tags })
      .pipe(Effect.mapError((e) => new CodeModeError({ operation: "save_skill", message: e.message })))
    return summary({
      ...saved,
      chosen: saved.version,
      runs: saved.stats.runs,
      failures: saved.stats.failures
    })
  })

  const listSkills = Effect.fn("codeMode.listSkills")(
    function* (query?: string) {
      const found = query && query.trim() !== "" ? yield* skills.search(query) : yield* skills.list()
      const list = found.map(summary)
      ledger.read.push(JSON.stringify(list))
      return list
    },
    Effect.mapError((e) => new CodeModeError({ operation: "list_skills", message: e.message }))
  )

  const tokenAccount = () =>
    Effect.flatMap(api, ({ catalog }) =>
      accountOf(catalog, ledger.calls, ledger.read, ledger.code, ledger.returned)
    )

  return CodeMode.of({
    searchTools,
    readApi,
    execute,
    saveSkill,
    listSkills,
    tokenAccount,
    toolCalls: () => Effect.sync(() => ledger.calls.map((c) => c.record))
  })
})

/** CodeMode over the McpHub, Sandbox and SkillStore in context. */
export const layer = (
  options: Options
): Layer.Layer<CodeMode, Policy.PolicyConfigError, McpHub | Sandbox | Skills.SkillStore> =>
  Layer.effect(CodeMode, make(options))
