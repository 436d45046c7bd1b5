/**
 * What the current request's client hears while code runs: progress (one step per tool call the
 * code completes) when it asked with a progressToken. The gateway provides it per request; without
 * one nothing is sent.
 */
import { Context } from "effect"

export interface Reporter {
  /** `done` tool calls finished so far; `message` names the last one. */
  readonly progress: (done: number, message: string) => void
}

export const Reporter = Context.Reference<Reporter | undefined>("@tta/code-mode/Notify/Reporter", {
  defaultValue: () => undefined
})
