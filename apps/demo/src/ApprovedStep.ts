/**
 * An agent step whose tool calls may need a person's approval while the workflow runs durably: the
 * same contract as `agentStep` (AgentStep.ts), but built from primitives the durable compiler walks, with
 * code mode's `codeExecution({ durable: true })` inside. A call the policy marks `approve` makes the
 * workflow wait on `agent/<file>/call-<k>` (`tta workflows approve <id> agent/<file>/call-1`); once
 * approved the code runs again from the start with that call allowed.
 */
import { type CodeMode, codeExecution } from "@tta/code-mode"
import { lift, type Primitive, parallel, sequence, step, WorkflowContext, withName } from "@tta/core"
import { Effect } from "effect"
import * as Agent from "./Agent.ts"
import type { AgentContext, AgentStepOptions } from "./AgentStep.ts"
import { emit } from "./Progress.ts"

export const approvedAgentStep = <I, V, O = V>(
  name: string,
  file: string,
  options: AgentStepOptions<I, V, O>
): Primitive.Primitive<I, O, unknown, AgentContext> => {
  const program = step("code", (input: I) =>
    Effect.map(WorkflowContext.use(Effect.succeed), (ctx) => ({
      code: Agent.code(file, options.input?.(input, ctx))
    }))
  )
  const run = parallel(
    {
      input: lift("input", (i: I) => i),
      outcome: sequence(program, codeExecution({ name: `agent/${file}`, durable: true }))
    },
    { name: "run" }
  )
  const done = step("done", ({ input, outcome }: { input: I; outcome: CodeMode.ExecuteOutcome }) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const value = outcome.value as V
      yield* emit(
        ctx,
        name,
        "ok",
        options.summary(value, input),
        outcome.durationMs,
        outcome.toolCalls.length
      )
      return options.result ? options.result(value, input, ctx) : (value as unknown as O)
    })
  )
  return withName(sequence(run, done), name) as Primitive.Primitive<I, O, unknown, AgentContext>
}
