/**
 * The `callTool` host function one execution gives its sandbox: each call from the code is checked
 * by the policy (asking an approver when it says so), has PII tokens in its arguments swapped back,
 * goes to McpHub, and comes back with PII tokenized — in its result and in its error message.
 */
import type { McpHub } from "@tta/mcp"
import { Clock, Effect } from "effect"
import * as ApprovalGate from "./ApprovalGate.ts"
import type { ToolCallRecord } from "./CodeMode.ts"
import type { FullCall } from "./Ledger.ts"
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
      })
    const verdict = ctx.policy.check({ server: s, tool: t, annotations })
    const approver = ctx.approve ?? (yield* Policy.Approver)
    const approved =
      verdict.decision === "allow"
        ? true
        : verdict.decision === "approve" && approver
          ? yield* approver({ server: s, tool: t, args, annotations })
          : false
    if (!approved) {
      const error = new Policy.PolicyDeniedError({
        server: s,
        tool: t,
        rule: verdict.rule,
        reason: verdict.decision === "approve" ? "needs approval and none was given" : "not allowed"
      })
      yield* push({ ok: false, outcome: "denied", durationMs: 0, error: error.message }, args, error.message)
      return yield* Effect.fail(error)
    }
    const tokenizer = ctx.tokenizer
    const input = tokenizer ? tokenizer.untokenize(args) : args
    const result = yield* ctx.hub
      .callTool(s, t, input, ctx.callTimeout === undefined ? {} : { timeout: ctx.callTimeout })
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
