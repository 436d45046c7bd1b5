/**
 * The live CodeMode service: the API tree generated from McpHub's catalog (regenerated when a server's
 * tool list changes), the skills tree and a workspace mounted in a sandbox, tool calls from the code
 * routed through policy and PII tokenization to McpHub, and a token account of everything.
 */
import { join } from "node:path"
import type { FileTree, SearchIndex, ToolCatalog } from "@tta/codegen"
import { Search, Tree } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import { type Limits, type LogEntry, Sandbox, type Errors as SandboxErrors } from "@tta/sandbox"
import { SkillStore as Skills } from "@tta/skills"
import { Clock, Effect, Layer, Ref, Semaphore, Stream } from "effect"
import * as ApprovalGate from "./ApprovalGate.ts"
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
  /** A type checker to share between sessions (it is warm after its first check). */
  readonly checker?: TypeCheck.Checker | undefined
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
  const checker = typeCheck ? (options.checker ?? TypeCheck.make()) : undefined
  // Created on the first write: a session that never writes leaves no directory behind.
  const workspace = Workspace.hostFunction(join(options.dir, "workspace"))

  const apiRef = yield* Ref.make<Api | undefined>(undefined)
  // Bumped on every list change, so a tree generated while a change arrived is not cached.
  const generation = yield* Ref.make(0)
  const apiLock = yield* Semaphore.make(1)
  // The session's token account, kept as running counts (o200k_base) rather than the results
  // themselves, so a long-lived gateway session does not hold every result it ever saw.
  const ledger = {
    records: [] as Array<ToolCallRecord>,
    tools: new Map<string, TokenAccount.ToolRef>(),
    calls: 0,
    results: 0,
    read: 0,
    code: 0,
    returned: 0
  }

  // A server whose tool list changed gets a fresh tree on the next use.
  const changes = yield* hub.subscribeChanges
  yield* Stream.fromSubscription(changes).pipe(
    Stream.runForEach(() =>
      Effect.andThen(
        Ref.update(generation, (n) => n + 1),
        Ref.set(apiRef, undefined)
      )
    ),
    Effect.forkScoped
  )

  const api = apiLock.withPermits(1)(
    Effect.gen(function* () {
      const cached = yield* Ref.get(apiRef)
      if (cached) return cached
      const started = yield* Ref.get(generation)
      const catalog = (yield* hub.catalog()) as ToolCatalog
      const tree = yield* Tree.generate(catalog).pipe(
        Effect.mapError((e) => new CodeModeError({ operation: "generate API", message: e.message }))
      )
      const index = Search.buildIndexSync(catalog)
      const annotations = new Map(
        catalog.servers.flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t.annotations] as const))
      )
      const fresh: Api = { catalog, tree, index, annotations }
      if ((yield* Ref.get(generation)) === started) yield* Ref.set(apiRef, fresh)
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
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const full: FullCall = {
            server: s,
            tool: t,
            input,
            result,
            isError: !record.ok,
            record: { server: s, tool: t, ...record, durationMs: record.durationMs || now - started }
          }
          calls.push(full)
          ledger.records.push(full.record)
          // A durable attempt keeps its own calls (ApprovalGate); others have no log.
          const log = yield* ApprovalGate.CallLog
          if (log) log(full.record)
        })
      const verdict = policy.check({ server: s, tool: t, annotations: annotations.get(`${s}/${t}`) })
      const approver = options.approve ?? (yield* Policy.Approver)
      const approved =
        verdict.decision === "allow"
          ? true
          : verdict.decision === "approve" && approver
            ? yield* approver({ server: s, tool: t, args, annotations: annotations.get(`${s}/${t}`) })
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
          ),
          // A server's error message can quote personal data too: the code sees it tokenized.
          Effect.mapError((e) =>
            tokenizer
              ? {
                  _tag: (e as { _tag?: string })._tag ?? "Error",
                  message: tokenizer.tokenize(errorText(e)) as string
                }
              : e
          )
        )
      yield* push({ ok: true, outcome: "ok", durationMs: 0 }, input, result)
      return tokenizer ? tokenizer.tokenize(result) : result
    })

  const inCatalog = (catalog: ToolCatalog) => {
    const known = new Set(catalog.servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)))
    return (ref: TokenAccount.ToolRef) => known.has(`${ref.server}/${ref.tool}`)
  }

  /** One execution's account; its counts are added to the session's. */
  const absorb = (
    catalog: ToolCatalog,
    calls: ReadonlyArray<FullCall>,
    code: string,
    returned: ReadonlyArray<unknown>
  ) =>
    Effect.gen(function* () {
      // Denied calls never reached a server, so no approach would have paid for them.
      const paid = calls.filter((c) => c.record.outcome !== "denied").filter(inCatalog(catalog))
      const figures = yield* TokenAccount.account({
        catalog,
        calls: paid,
        codeMode: { tools: gatewayTools, read: [], code: [code], returned }
      })
      for (const c of paid) ledger.tools.set(`${c.server}/${c.tool}`, { server: c.server, tool: c.tool })
      ledger.calls += figures.direct.calls
      ledger.results += figures.direct.results
      ledger.code += figures.codeMode.code
      ledger.returned += figures.codeMode.returned
      return figures
    }).pipe(Effect.mapError((e) => new CodeModeError({ operation: "token account", message: e.message })))

  const execute = Effect.fn("codeMode.execute")(function* (code: string) {
    const { catalog, annotations } = yield* api
    const files = yield* mounted
    if (checker) {
      checker.setFiles(files)
      const diagnostics = checker.check(code)
      if (diagnostics.length > 0) {
        const message = `Type errors (nothing was run):\n${TypeCheck.format(diagnostics)}`
        yield* absorb(catalog, [], code, [message])
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
    const calls: Array<FullCall> = []
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
        host: { callTool: callTool(calls, annotations), workspace },
        ...(options.limits ? { limits: options.limits } : {})
      })
      .pipe(
        Effect.onExit((exit) => recordSkillRuns(exit._tag === "Success")),
        Effect.catch((error) => {
          const mapped = toExecutionError(error)
          return Effect.andThen(absorb(catalog, calls, code, [mapped.message]), Effect.fail(mapped))
        })
      )
    const returned = [result.value, ...result.logs.map((l) => l.message)]
    const tokens = yield* absorb(catalog, calls, code, returned)
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
    ledger.read += TokenAccount.count(JSON.stringify(hits))
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
    ledger.read += TokenAccount.count(source)
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
      ledger.read += TokenAccount.count(JSON.stringify(list))
      return list
    },
    Effect.mapError((e) => new CodeModeError({ operation: "list_skills", message: e.message }))
  )

  const tokenAccount = Effect.fn("codeMode.tokenAccount")(function* () {
    const { catalog } = yield* api
    // Definitions as each approach carries them; everything else from the running counts.
    const base = yield* TokenAccount.account({
      catalog,
      calls: [...ledger.tools.values()]
        .filter(inCatalog(catalog))
        .map((ref) => ({ ...ref, input: {}, result: "" })),
      codeMode: { tools: gatewayTools, read: [], code: [], returned: [] }
    }).pipe(Effect.mapError((e) => new CodeModeError({ operation: "token account", message: e.message })))
    const breakdown = (parts: Omit<TokenAccount.Breakdown, "total">): TokenAccount.Breakdown => ({
      ...parts,
      total: parts.definitions + parts.calls + parts.results + parts.read + parts.code + parts.returned
    })
    const saved = (from: number, to: number) =>
      from === 0 ? 0 : Math.round(((from - to) / from) * 1000) / 10
    const work = { calls: ledger.calls, results: ledger.results, read: 0, code: 0, returned: 0 }
    const direct = breakdown({ definitions: base.direct.definitions, ...work })
    const toolSearch = breakdown({ definitions: base.toolSearch.definitions, ...work })
    const codeMode = breakdown({
      definitions: base.codeMode.definitions,
      calls: 0,
      results: 0,
      read: ledger.read,
      code: ledger.code,
      returned: ledger.returned
    })
    const figures: TokenAccount.Figures = {
      encoding: base.encoding,
      direct,
      toolSearch,
      codeMode,
      savedVsDirect: saved(direct.total, codeMode.total),
      savedVsToolSearch: saved(toolSearch.total, codeMode.total)
    }
    return figures
  })

  return CodeMode.of({
    searchTools,
    readApi,
    execute,
    saveSkill,
    listSkills,
    tokenAccount,
    toolCalls: () => Effect.sync(() => [...ledger.records])
  })
})

/** CodeMode over the McpHub, Sandbox and SkillStore in context. */
export const layer = (
  options: Options
): Layer.Layer<CodeMode, Policy.PolicyConfigError, McpHub | Sandbox | Skills.SkillStore> =>
  Layer.effect(CodeMode, make(options))
