/**
 * The live CodeMode service: the API tree generated from McpHub's catalog (regenerated when a server's
 * tool list changes), the skills tree and a workspace mounted in a sandbox, tool calls from the code
 * routed through policy and PII tokenization to McpHub, and a token account of everything.
 */
import { join } from "node:path"
import { Search, type ToolCatalog } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import type { TokenAccount } from "@tta/observability"
import { type Limits, type MissingPeerDependency, Sandbox } from "@tta/sandbox"
import { SkillStore as Skills } from "@tta/skills"
import { Effect, Layer } from "effect"
import * as ApiTree from "./ApiTree.ts"
import {
  ApiFileNotFound,
  CodeMode,
  CodeModeError,
  type Detail,
  ExecutionError,
  type SearchHit
} from "./CodeMode.ts"
import * as DirectTools from "./DirectTools.ts"
import * as Execute from "./Execute.ts"
import * as Responses from "./gateway/Responses.ts"
import * as LearnedTypes from "./LearnedTypes.ts"
import * as Ledger from "./Ledger.ts"
import * as Pii from "./Pii.ts"
import * as Policy from "./Policy.ts"
import * as Scrub from "./Scrub.ts"
import * as SkillTools from "./SkillTools.ts"
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
  /**
   * Type-check agent code against the API before running it. Default: when TypeScript 5.9+ (an
   * optional peer dependency, see TypeScriptApi.ts) is installed; `true` fails without it.
   */
  readonly typeCheck?: boolean | undefined
  readonly limits?: Limits.Limits | undefined
  /** A type checker to share between sessions (it is warm after its first check). */
  readonly checker?: TypeCheck.Checker | undefined
  /** Timeout of each tool call made from the code (McpHub's default otherwise). */
  readonly callTimeout?: number | undefined
  /** The gateway's data directory (skills in `<root>/skills`), when the session's `dir` is below it. */
  readonly root?: string | undefined
  /** The MCP session's id, never shown to agent code. */
  readonly sessionId?: string | undefined
  /**
   * Learn output types from results for tools without outputSchema, kept in `<root>/learned-types.json`
   * (default on; `false`, or `{ exclude: [server, …] }`).
   */
  readonly learnTypes?: LearnedTypes.Setting | undefined
  /** An account of learned types shared with other sessions (the gateway's); else one of this session's own. */
  readonly learned?: LearnedTypes.LearnedTypes | undefined
  /** Downstream tools offered beside the gateway's own: `"server/tool"` or `"server/*"`. */
  readonly direct?: ReadonlyArray<string> | undefined
}

/** The same error with the gateway's paths and the session id scrubbed from what the model reads. */
const scrubError =
  (scrub: Scrub.Scrubber) =>
  <E>(e: E): E => {
    if (e instanceof ExecutionError) {
      return new ExecutionError({
        kind: e.kind,
        message: scrub.text(e.message),
        ...(e.line === undefined ? {} : { line: e.line }),
        ...(e.logs === undefined
          ? {}
          : { logs: e.logs.map((l) => ({ level: l.level, message: scrub.text(l.message) })) })
      }) as E
    }
    if (e instanceof CodeModeError) {
      return new CodeModeError({ operation: e.operation, message: scrub.text(e.message) }) as E
    }
    return e
  }

export const make = Effect.fnUntraced(function* (options: Options) {
  const hub = yield* McpHub
  const sandbox = yield* Sandbox
  const skills = yield* Skills.SkillStore
  const policy = options.policy ? yield* Policy.make(options.policy) : Policy.allowAll
  const tokenizer =
    options.pii === true ? Pii.make() : Array.isArray(options.pii) ? Pii.make(options.pii) : undefined
  const checker =
    options.typeCheck === false
      ? undefined
      : (options.checker ?? (yield* TypeCheck.resolve(options.typeCheck)))
  // Created on the first write: a session that never writes leaves no directory behind.
  const workspace = Workspace.hostFunction(join(options.dir, "workspace"))
  const root = options.root ?? options.dir
  const scrub = Scrub.make({
    paths: [
      [join(options.dir, "workspace"), "workspace"],
      [join(root, "skills"), "skills"],
      [options.dir, "<session>"],
      [root, "<gateway>"]
    ],
    secrets: options.sessionId === undefined ? [] : [options.sessionId]
  })
  const clean = scrubError(scrub)

  const ledger = yield* Ledger.make()
  const learned =
    options.learned ??
    (options.learnTypes === false ? undefined : yield* LearnedTypes.make(root, options.learnTypes))
  const api = yield* ApiTree.make(hub, learned)

  const skillFiles = skills
    .files()
    .pipe(Effect.mapError((e) => new CodeModeError({ operation: "read skills", message: e.message })))

  const mounted = Effect.gen(function* () {
    const { tree } = yield* api
    return {
      ...tree,
      ...(yield* skillFiles),
      "workspace.ts": Workspace.moduleSource,
      "content.ts": Responses.contentModule
    } as Record<string, string>
  })

  const execute = Execute.make({
    options,
    hub,
    sandbox,
    skills,
    policy,
    tokenizer,
    checker,
    workspace,
    ledger,
    api,
    mounted,
    scrub,
    learned
  })

  const searchTools = Effect.fn("codeMode.searchTools")(function* (
    query: string,
    opts?: { readonly detail?: Detail; readonly limit?: number }
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
      ...(r.signature !== undefined ? { signature: r.signature } : {}),
      ...(r.description !== undefined ? { description: r.description } : {}),
      ...(r.source !== undefined ? { source: r.source } : {})
    }))
    const detail = opts?.detail
    ledger.gatewayCall("search_tools", { query, ...opts }, () => Responses.search(hits, detail))
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
    ledger.gatewayCall("read_api", { path }, Responses.text(source))
    return source
  })

  const { saveSkill, listSkills } = SkillTools.make({ skills, checker, mounted, ledger })

  const tokenAccount = Effect.fn("codeMode.tokenAccount")(function* (): Effect.fn.Return<
    TokenAccount.Figures,
    CodeModeError
  > {
    const { catalog } = yield* api
    return ledger.figures(catalog)
  })

  const direct = DirectTools.make({
    patterns: options.direct ?? [],
    hub,
    policy,
    tokenizer,
    approve: options.approve,
    // From the hub itself (its cache), so a changed tool list shows at once.
    catalog: Effect.map(hub.catalog(), (c) => c as ToolCatalog),
    record: ledger.record,
    account: ledger.directCall
  })

  const service: CodeMode["Service"] = {
    directTools: direct.list,
    callDirect: direct.call,
    searchTools: (query, opts) => Effect.mapError(searchTools(query, opts), clean),
    readApi: (path) => Effect.mapError(readApi(path), clean),
    execute: (code) => Effect.mapError(execute(code), clean),
    saveSkill: (input) => Effect.mapError(saveSkill(input), clean),
    listSkills: (query) => Effect.mapError(listSkills(query), clean),
    tokenAccount,
    toolCalls: () => Effect.sync(() => ledger.records())
  }
  return CodeMode.of(service)
})

/** CodeMode over the McpHub, Sandbox and SkillStore in context. */
export const layer = (
  options: Options
): Layer.Layer<
  CodeMode,
  Policy.PolicyConfigError | MissingPeerDependency,
  McpHub | Sandbox | Skills.SkillStore
> => Layer.effect(CodeMode, make(options))
