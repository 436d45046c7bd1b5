/**
 * Code mode as a @tta/core primitive: input `{ code }`, output the execution (value, logs, tool
 * calls, token account). Composes with every other primitive: retry it, time it out, run several
 * in parallel.
 *
 * With `durable: true` (inside a @tta/durable workflow) a call the policy marks `approve` needs no
 * client: the execution stops at that call (it is not made), the workflow waits on an approval
 * naming server, tool and arguments, and once approved the code runs again from the start with
 * exactly that call allowed — so the calls before it run again too. Each attempt is a journaled step
 * (`attempt-<k>`) that keeps its own calls.
 */
import { branch, lift, make, map, type Primitive, parallel, sequence, step, withName } from "@tta/core"
import { Durable } from "@tta/durable"
import { Effect, Schema } from "effect"
import * as ApprovalGate from "./ApprovalGate.ts"
import { CodeMode, type CodeModeError, type ExecuteOutcome, type ExecutionError } from "./CodeMode.ts"

type CodePrimitive = Primitive.Primitive<Input, ExecuteOutcome, ExecutionError | CodeModeError, CodeMode>

export interface Input {
  readonly code: string
}

export interface Options {
  readonly name?: string | undefined
  /**
   * Run as a durable workflow's step whose `approve` calls wait on a person (see above). `true`, or
   * how many approvals one execution may ask for (default 5; one more fails with
   * `TooManyApprovalsError`). Only meaningful inside `Durable.workflow`.
   */
  readonly durable?: boolean | { readonly maxApprovals?: number | undefined } | undefined
}

/** The code asked for more approvals than `maxApprovals` allows. */
export class TooManyApprovalsError extends Schema.TaggedError<TooManyApprovalsError>()(
  "TooManyApprovalsError",
  {
    step: Schema.String,
    maxApprovals: Schema.Number,
    message: Schema.String
  }
) {}

export function codeExecution(options?: Options & { readonly durable?: false | undefined }): CodePrimitive
export function codeExecution(
  options: Options
): Primitive.Primitive<
  Input,
  ExecuteOutcome,
  ExecutionError | CodeModeError | TooManyApprovalsError | Durable.NotDurableError,
  CodeMode
>
export function codeExecution(options: Options = {}): Primitive.Any {
  const name = options.name ?? "codeExecution"
  if (options.durable === undefined || options.durable === false)
    return make({
      name,
      kind: "code-execution",
      run: (input: Input) => CodeMode.use((codeMode) => codeMode.execute(input.code))
    })
  const max = options.durable === true ? 5 : (options.durable.maxApprovals ?? 5)
  return durableExecution(name, max)
}

/** Where one execution stands between attempts: the code, the calls approved so far, the last attempt. */
const State = Schema.Struct({
  code: Schema.String,
  approved: Schema.Array(ApprovalGate.Call),
  attempt: ApprovalGate.Attempt
})
type State = typeof State.Type

/** The name of the approval the k-th attempt waits on (`tta workflows approve <id> <this>`). */
export const approvalName = (step: string, k: number) => `${step}/call-${k}`

/**
 * attempt-1 → needs approval? → (approval, then attempt-2 → needs approval? → …) | its outcome.
 * A static tree (a journal must meet the same step names on replay), so the approvals are bounded.
 */
const durableExecution = (name: string, max: number) => {
  const attempt = (k: number) =>
    Durable.withSchema(
      step(
        `attempt-${k}`,
        (s: { readonly code: string; readonly approved?: ReadonlyArray<ApprovalGate.Call> }) =>
          Effect.map(
            ApprovalGate.attempt(s.code, s.approved ?? []),
            (attempt): State => ({ code: s.code, approved: s.approved ?? [], attempt })
          )
      ),
      State
    )
  const outcome = (k: number) =>
    lift(`outcome-${k}`, (s: State) => (s.attempt as unknown as { readonly outcome: ExecuteOutcome }).outcome)
  const tooMany = step("approval-limit", (_: State) =>
    Effect.fail(
      new TooManyApprovalsError({
        step: name,
        maxApprovals: max,
        message: `${name}: the code asked for more than ${max} approvals; raise durable.maxApprovals or split the code`
      })
    )
  )
  const approve = (k: number) =>
    parallel(
      {
        prior: lift(`state-${k}`, (s: State) => s),
        // The call it would allow (server, tool, arguments), journaled with the wait for `tta workflows`.
        decision: Durable.approval(approvalName(name, k), {
          details: (s: State) => (s.attempt as { readonly call: ApprovalGate.Call }).call
        })
      },
      { name: `approval-${k}` }
    ).pipe(
      map(({ prior }) => ({
        code: prior.code,
        approved: [...prior.approved, (prior.attempt as { readonly call: ApprovalGate.Call }).call]
      }))
    )
  const level = (k: number): Primitive.Primitive<any, ExecuteOutcome, any, CodeMode> =>
    sequence(
      attempt(k),
      branch(
        (s: State) => s.attempt._tag === "NeedsApproval",
        k > max ? tooMany : sequence(approve(k), level(k + 1)),
        outcome(k),
        { name: `needs-approval-${k}` }
      )
    ) as Primitive.Primitive<any, ExecuteOutcome, any, CodeMode>
  return withName(level(1), name)
}
