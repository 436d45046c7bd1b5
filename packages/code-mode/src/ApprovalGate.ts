/**
 * One attempt of an execution that may not ask anyone: a call the policy marks `approve` either is
 * one of the calls approved before (same server, tool and arguments) and runs, or the execution
 * stops right there — the call is not made — and the attempt reports the call that needs approval.
 * A durable workflow (see CodeExecution's `durable` option) then waits on a person and runs the
 * code again from the start with that call approved.
 */
import { Context, Deferred, Effect, Schema } from "effect"
import { CodeMode, type ExecuteOutcome, ToolCallRecord } from "./CodeMode.ts"
import * as Policy from "./Policy.ts"

/** A tool call as the code made it, arguments included. */
export const Call = Schema.Struct({
  server: Schema.String,
  tool: Schema.String,
  args: Schema.Json
})
export type Call = typeof Call.Type

// One Schema per fact: an attempt journals the same call records an execution returns.
const CallRecord = ToolCallRecord

/** What one attempt did: finished (with the execution's outcome) or stopped at a call to approve. */
export const Attempt = Schema.Union([
  Schema.TaggedStruct("Done", { outcome: Schema.Json }),
  Schema.TaggedStruct("NeedsApproval", {
    call: Call,
    /** The calls made before it, this attempt. */
    toolCalls: Schema.Array(CallRecord)
  })
])
export type Attempt = typeof Attempt.Type

/** Sees every finished tool call of the executions run under it (with their arguments). */
export const CallLog = Context.Reference<((record: ToolCallRecord) => void) | undefined>(
  "@tta/code-mode/ApprovalGate/CallLog",
  { defaultValue: () => undefined }
)

/** Key order does not make two calls different. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])])
        )
      : value

/** Identity of a call for approval: server, tool and canonical JSON arguments. */
export const callKey = (call: { readonly server: string; readonly tool: string; readonly args?: unknown }) =>
  `${call.server}/${call.tool} ${JSON.stringify(canonical(call.args ?? {}))}`

/** Runs `code` once; `approved` calls pass, the first other call needing approval stops it. */
export const attempt = Effect.fnUntraced(function* (code: string, approved: ReadonlyArray<Call>) {
  const codeMode = yield* CodeMode
  const allowed = new Set(approved.map(callKey))
  const stopped = yield* Deferred.make<Call>()
  const calls: Array<ToolCallRecord> = []
  const approver = (request: Policy.CallRequest): Effect.Effect<boolean> =>
    allowed.has(callKey(request))
      ? Effect.succeed(true)
      : // Never answered: the race below ends the execution while the code awaits this call.
        Effect.andThen(
          Deferred.succeed(stopped, {
            server: request.server,
            tool: request.tool,
            args: (request.args ?? {}) as Schema.Json
          }),
          Effect.never
        )
  const run = codeMode.execute(code).pipe(
    Effect.provideService(Policy.Approver, approver),
    Effect.provideService(CallLog, (record) => {
      calls.push(record)
    }),
    Effect.map((outcome): Attempt => ({ _tag: "Done", outcome: toJson(outcome) }))
  )
  const stop = Effect.map(
    Deferred.await(stopped),
    (call): Attempt => ({ _tag: "NeedsApproval", call, toolCalls: calls.map(plainRecord) })
  )
  return yield* Effect.raceFirst(run, stop)
})

const plainRecord = (r: ToolCallRecord) => ({
  server: r.server,
  tool: r.tool,
  ok: r.ok,
  durationMs: r.durationMs,
  outcome: r.outcome,
  ...(r.error === undefined ? {} : { error: r.error })
})

/** The outcome as JSON (a journal keeps JSON); values the code returned already are. */
const toJson = (outcome: ExecuteOutcome): Schema.Json => JSON.parse(JSON.stringify(outcome)) as Schema.Json
