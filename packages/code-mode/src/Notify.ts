/**
 * The current request's client, as code's tool calls see it: progress (one step per tool call the
 * code completes and per progress report of a call in flight, when it asked with a progressToken;
 * the gateway numbers the steps, so they only go up), the code's console output as it is written,
 * and which downstream server it is calling
 * right now (so that server's sampling or elicitation requests go back to this client). The gateway
 * provides it per request; without one nothing is sent.
 */
import { Context, Effect } from "effect"
import type { LogLine } from "./CodeMode.ts"

export interface Reporter {
  /** One more step; `message` says what happened (`"server/tool ok"`, a call's own report). */
  readonly progress?: ((message: string) => void) | undefined
  /** One line of the code's console output, as the code writes it (while it runs). */
  readonly log?: ((line: LogLine) => void) | undefined
  /** A call to `server` starts; the function returned says it ended. */
  readonly calling?: ((server: string) => () => void) | undefined
}

/** Marks `effect` as a call to `server` for the current request's client, while it runs. */
export const calling = <A, E, R>(server: string, effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.service(Reporter), (reporter: Reporter | undefined) => {
    const begin = reporter?.calling
    if (begin === undefined) return effect
    return Effect.acquireUseRelease(
      Effect.sync(() => begin(server)),
      () => effect,
      (end) => Effect.sync(end)
    )
  })

export const Reporter = Context.Reference<Reporter | undefined>("@tta/code-mode/Notify/Reporter", {
  defaultValue: () => undefined
})
