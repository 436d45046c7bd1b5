/**
 * The store behind `tta workflows`: opens @tta/durable's client on a location and adapts it to the
 * CLI's views. Loaded with `import()` only by the workflows subcommands.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as View from "./workflowsView.ts"

export interface Decision {
  readonly by: string
  readonly value?: unknown
  readonly reason?: string | undefined
}

export interface Admin {
  readonly list: (options: {
    readonly status?: string | undefined
  }) => Effect.Effect<ReadonlyArray<View.Summary>, unknown>
  readonly show: (id: string) => Effect.Effect<View.Journal, unknown>
  readonly approve: (id: string, name: string, decision: Decision) => Effect.Effect<void, unknown>
  readonly reject: (id: string, name: string, decision: Decision) => Effect.Effect<void, unknown>
  readonly signal: (
    id: string,
    name: string,
    payload: { readonly by: string; readonly value?: unknown }
  ) => Effect.Effect<void, unknown>
  readonly cancel: (id: string) => Effect.Effect<void, unknown>
  readonly purge: (options: {
    readonly olderThanMs: number
  }) => Effect.Effect<{ readonly removed: number }, unknown>
}

class StoreUnavailable {
  readonly _tag = "StoreUnavailable"
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/** Opens the store at `location` (a file path or a postgres:// URL) for the scope's lifetime. */
export const open = (location: string): Effect.Effect<Admin, unknown, Scope.Scope> =>
  Effect.fail(new StoreUnavailable(`@tta/durable is not available yet (store ${location})`))
