/**
 * A step whose work is agent code from `agent/<file>`, run through code mode (the codeExecution
 * primitive is its child, so the diagram and the trace show both). Each run reports one Progress
 * event: what the code found, or the first line of its error.
 */
import { type CodeMode, codeExecution } from "@tta/code-mode"
import { make, type Primitive, WorkflowContext, type WorkflowContextShape } from "@tta/core"
import { Clock, Effect } from "effect"
import * as Agent from "./Agent.ts"
import { emit, type Progress } from "./Progress.ts"

export type AgentError = CodeMode.ExecutionError | CodeMode.CodeModeError
export type AgentContext = CodeMode.CodeMode | WorkflowContext | Progress

/** What an agent step makes of its input and of the value the code returns. */
export interface AgentStepOptions<I, V, O> {
  readonly input?: ((input: I, ctx: WorkflowContextShape) => unknown) | undefined
  readonly summary: (value: V, input: I) => string
  readonly result?: ((value: V, input: I, ctx: WorkflowContextShape) => O) | undefined
}

const firstLine = (text: string) => (text.split("\n").find((l) => l.trim() !== "") ?? text).slice(0, 160)

export const agentStep = <I, V, O = V>(
  name: string,
  file: string,
  options: AgentStepOptions<I, V, O> & {
    /** The whole program instead of the file with its input filled in. */
    readonly code?: ((input: I) => string) | undefined
  }
): Primitive.Primitive<I, O, AgentError, AgentContext> => {
  const exec = codeExecution({ name: `agent/${file}` })
  return make({
    name,
    kind: "agent",
    children: [exec],
    meta: { file: `agent/${file}` },
    run: (input: I) =>
      Effect.gen(function* () {
        const ctx = yield* WorkflowContext
        const started = yield* Clock.currentTimeMillis
        const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - started)
        const program = options.code ? options.code(input) : Agent.code(file, options.input?.(input, ctx))
        const outcome = yield* exec
          .run({ code: program })
          .pipe(
            Effect.tapError((e) =>
              Effect.flatMap(elapsed, (ms) => emit(ctx, name, "failed", firstLine(e.message), ms))
            )
          )
        const value = outcome.value as V
        yield* emit(ctx, name, "ok", options.summary(value, input), yield* elapsed, outcome.toolCalls.length)
        return options.result ? options.result(value, input, ctx) : (value as unknown as O)
      })
  })
}
