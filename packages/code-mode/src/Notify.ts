/**
 * The current request's client, as code's tool calls see it: progress (one step per tool call the
 * code completes, when it asked with a progressToken), and which downstream server it is calling
 * right now (so that server's sampling or elicitation requests go back to this client). The gateway
 * provides it per request; without one nothing is sent.
 */
import { Context, Effect } from "effect"

export interface Reporter {
  /** `done` tool calls finished so far; `message` names the last one. */
  readonly progress?: ((done: number, message: string) => void) | undefined
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
