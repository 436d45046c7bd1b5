/**
 * The current request's client, as code's tool calls see it: progress (one step per tool call the
 * code completes and per progress report of a call in flight, when it asked with a progressToken;
 * the gateway numbers the steps, so they only go up) and the code's console output as it is written.
 * The gateway provides it per request; without one nothing is sent. (Which client a server's log
 * lines, sampling and elicitation go to is the hub's `Callers.Caller`, also provided per request.)
 */
import { Context } from "effect"
import type { LogLine } from "./CodeMode.ts"

export interface Reporter {
  /** One more step; `message` says what happened (`"server/tool ok"`, a call's own report). */
  readonly progress?: ((message: string) => void) | undefined
  /** One line of the code's console output, as the code writes it (while it runs). */
  readonly log?: ((line: LogLine) => void) | undefined
}

export const Reporter = Context.Reference<Reporter | undefined>("@tta/code-mode/Notify/Reporter", {
  defaultValue: () => undefined
})
