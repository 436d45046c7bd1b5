/**
 * The `callTool` host function one execution gives its sandbox: each call from the code is checked
 * by the policy (asking an approver when it says so), has PII tokens in its arguments swapped back,
 * goes to McpHub, and comes back with PII tokenized — in its result and in its error message.
 * The whole `CallToolResult` is kept for the token account (counted as the text the server sent).
 */
import { type McpHub, ToolError, ToolResult } from "@tta/mcp"
import { Clock, Effect } from "effect"
import * as ApprovalGate from "./ApprovalGate.ts"
import type { ToolCallRecord } from "./CodeMode.ts"
import type { FullCall } from "./Ledger.ts"
import * as Notify from "./Notify.ts"
import type * as Pii from "./Pii.ts"
import * as Policy from "./Policy.ts"

export interface Context {
  readonly hub: McpHub["Service"]
  readonly policy: Policy.Policy
  readonly tokenizer: Pii.Tokenizer | undefined
  readonly approve: ((request: Policy.CallRequest) => Effect.Effect<boolean>) | undefined
  readonly callTimeout: number | undefined
  readonly annotations: ReadonlyMap<string, Policy.ToolAnnotations | undefined>
  /** Every call is pushed here (and to the session's records) as it ends. */
  readonly onCall: (call: FullCall) => void
  /** Sees each successful call's value as the code gets it (before PII tokenization): learned types. */
  readonly onValue?: ((server: string, tool: string, value: unknown) => void) | undefined
}

export const errorText = (e: unknown): string =>
  e instanceof Error || (typeof e === "object" && e !== null && "message" in e)
    ? String((e as { message: unknown }).message)
    : String(e)

/** `host.callTool(server, tool, args)` for one execution. */
export const make = (ctx: Context) =>
  Effect.fnUntraced(function* (server: unknown, tool: unknown, args: unknown) {
    const started = yield* Clock.currentTimeMillis
    const s = String(server)
    const t = String(tool)
    const annotations = ctx.annotations.get(`${s}/${t}`)
    const push = (record: Omit<ToolCallRecord, "server" | "tool">, input: unknown, result: unknown) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const full = {
          server: s,
          tool: t,
          input,
          result,
          isError: !record.ok,
          record: { server: s, tool: t, ...record, durationMs: record.durationMs || now - started }
        }
        ctx.onCall(full)
        // A durable attempt keeps its own calls (ApprovalGate); others have no log.
        const log = yield* ApprovalGate.CallLog
        if (log) log(full.record)
        const reporter = yield* Notify.Reporter
        reporter?.progress?.(`${s}/${t} ${record.outcome}`)
      })
    const error = yield* Policy.decide(ctx.policy, { server: s, tool: t, args, annotations }, ctx.approve)
    if (error !== undefined) {
      yield* push({ ok: false, outcome: "denied", durationMs: 0, error: error.message }, args, error.message)
      return yield* Effect.fail(error)
    }
    const tokenizer = ctx.tokenizer
    const input = tokenizer ? tokenizer.untokenize(args) : args
    // The whole result, so the account counts what the server sent as text; the code gets its value.
    // A call's own progress reports reach the client too, when it asked for progress.
    const report = (yield* Notify.Reporter)?.progress
    const options = {
      ...(ctx.callTimeout === undefined ? {} : { timeout: ctx.callTimeout }),
      ...(report === undefined
        ? {}
        : {
            onProgress: (p: { progress: number; total?: number | undefined; message?: string | undefined }) =>
              report(
                `${s}/${t}: ${p.message ?? `${p.progress}${p.total === undefined ? "" : `/${p.total}`}`}`
              )
          })
    }
    const result = yield* ctx.hub.callToolResult(s, t, input, options).pipe(
      Effect.flatMap((r) =>
        r.isError === true
          ? Effect.fail(
              new ToolError({ server: s, tool: t, detail: ToolResult.errorText(r), content: r.content })
            )
          : Effect.succeed(r)
      ),
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
    const value = ToolResult.toValue(result)
    ctx.onValue?.(s, t, value)
    return tokenizer ? tokenizer.tokenize(value) : value
  })
