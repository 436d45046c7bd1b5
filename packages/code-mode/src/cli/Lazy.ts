/**
 * A subcommand's work lives in `actions/` and is imported when the subcommand runs: `tta --help` or
 * `tta skills ls` never load the MCP client, the gateway, the sandbox or the type checker. In the
 * bundled bin each action is a chunk of its own.
 */
import * as Effect from "effect/Effect"

export const lazy = <M, A, E, R>(
  load: () => Promise<M>,
  run: (module: M) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.flatMap(Effect.promise(load), run)
