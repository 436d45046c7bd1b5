/**
 * Code mode as a @tta/core primitive: input `{ code }`, output the execution (value, logs, tool
 * calls, token account). Composes with every other primitive: retry it, time it out, run several
 * in parallel.
 */
import { make, type Primitive } from "@tta/core"

type CodePrimitive = Primitive.Primitive<Input, ExecuteOutcome, ExecutionError | CodeModeError, CodeMode>

import { CodeMode, type CodeModeError, type ExecuteOutcome, type ExecutionError } from "./CodeMode.ts"

export interface Input {
  readonly code: string
}

export const codeExecution = (options: { readonly name?: string } = {}): CodePrimitive =>
  make({
    name: options.name ?? "codeExecution",
    kind: "code-execution",
    run: (input: Input) => CodeMode.use((codeMode) => codeMode.execute(input.code))
  })
