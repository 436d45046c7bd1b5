/**
 * Whether servers can be started: `connect` one, `connectAll` (one typed failure listing every
 * server that could not start, with its exit code or spawn error: what a CLI turns into a
 * non-zero exit), and `health`, the same check as a report. Internal to the package.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js"
import { Effect } from "effect"
import {
  type ConnectionError,
  type ServerFailureEntry,
  type ServerNotFound,
  ServersUnavailable
} from "./Errors.ts"
import type { Supervisor } from "./Supervisor.ts"
import type { ServerFailure } from "./ToolIndex.ts"

/** One server's answer to `health`. */
export interface ServerHealth {
  readonly name: string
  readonly ok: boolean
  /** How many tools it lists, when ok. */
  readonly tools?: number
  /** Why not, when not ok. */
  readonly error?: ServerFailure
}

/** What the checks need of one server. */
export interface Checked {
  readonly supervisor: Supervisor
  readonly tools: { readonly list: () => Effect.Effect<ReadonlyArray<Tool>, ServerFailure> }
}

const failureEntry = (error: ConnectionError): ServerFailureEntry => ({
  server: error.server,
  error: error._tag,
  message: error.message,
  ...("exitCode" in error && error.exitCode !== undefined ? { exitCode: error.exitCode } : {}),
  ...("spawnError" in error && error.spawnError !== undefined ? { spawnError: error.spawnError } : {})
})

export const makeHealth = (
  names: ReadonlyArray<string>,
  lookup: (server: string) => Effect.Effect<Checked, ServerNotFound>
) => {
  const connect = (server: string): Effect.Effect<void, ConnectionError> =>
    Effect.flatMap(lookup(server), (s) => Effect.asVoid(s.supervisor.connection()))

  // The servers asked for (all by default), each known, or ServerNotFound.
  const chosen = (list: ReadonlyArray<string> | undefined) =>
    Effect.forEach(list ?? names, (name) => Effect.map(lookup(name), (server) => [name, server] as const))

  const connectAll = (
    list?: ReadonlyArray<string>
  ): Effect.Effect<void, ServersUnavailable | ServerNotFound> =>
    Effect.flatMap(chosen(list), (servers) =>
      Effect.forEach(servers, ([name]) => Effect.option(Effect.flip(connect(name))), {
        concurrency: "unbounded"
      }).pipe(
        Effect.flatMap((outcomes) => {
          const failures = outcomes.flatMap((o) => (o._tag === "Some" ? [failureEntry(o.value)] : []))
          return failures.length === 0
            ? Effect.void
            : Effect.fail(new ServersUnavailable({ failures, of: servers.length }))
        })
      )
    )

  const health = (list?: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<ServerHealth>, ServerNotFound> =>
    Effect.flatMap(chosen(list), (servers) =>
      Effect.forEach(
        servers,
        ([name, server]): Effect.Effect<ServerHealth> =>
          server.tools.list().pipe(
            Effect.map((tools) => ({ name, ok: true, tools: tools.length })),
            Effect.catch((error) => Effect.succeed({ name, ok: false, error }))
          ),
        { concurrency: "unbounded" }
      )
    )

  return { connect, connectAll, health }
}
