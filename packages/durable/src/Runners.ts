/**
 * A group of runner processes on one PostgreSQL, on effect/cluster's `Sharding` (shard locks as rows
 * in `cluster_locks`, messages in `cluster_messages`): executions spread over the runners by shard,
 * and a runner that dies hands its shards to the others.
 *
 * Failover has two paths, so that it is fast for a dead process and never taken from a live one:
 * - a dead process (crash, kill -9, OOM): every runner listens on its address (a bare TCP port that
 *   accepts and closes) and probes the others' addresses. A refused connection means the process is
 *   gone: the kernel answers for a live process even when it gets no CPU. The prober then deletes the
 *   dead runner's row and shard locks, and the others take its shards at their next assignment
 *   refresh (~1-2 s, see bench/runners.ts).
 * - a silent runner (frozen, host down, network cut; the probe times out): its shard locks expire
 *   after `lockExpiration` (default 30 s) like any effect/cluster runner. A runner starved of CPU
 *   keeps its shards unless one lock refresh takes longer than a third of that (10 s).
 */
import { createConnection, createServer, type Server } from "node:net"
import { Context, Duration, Effect, Layer, Schedule, Schema, type Scope } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as Durable from "./Durable.ts"
import type { DurableWorkflow } from "./DurableWorkflow.ts"
import * as LostReplies from "./LostReplies.ts"
import * as Recovery from "./RunnerRecovery.ts"
import type * as Store from "./Store.ts"

/** The runner's address is taken or cannot be listened on. */
export class RunnerAddressError extends Schema.TaggedError<RunnerAddressError>()("RunnerAddressError", {
  host: Schema.String,
  port: Schema.Number,
  message: Schema.String
}) {}

export interface Address {
  readonly host: string
  readonly port: number
}

/** The address this runner listens on and is known by in the group. */
export class Self extends Context.Service<Self, Address>()("@tta/durable/Runners/Self") {}

export interface Options<W extends DurableWorkflow<any, any, any>> {
  readonly store: Store.PostgresStore
  readonly workflows: ReadonlyArray<W>
  /**
   * Where this runner listens (its name in the group; other runners probe it). Default 127.0.0.1 and
   * a free port. Runners on other machines need a host the others can reach.
   */
  readonly address?: { readonly host?: string | undefined; readonly port?: number | undefined } | undefined
  /** Shards per group; the same on every process of the group. Default 32. */
  readonly shards?: number | undefined
  /**
   * How long a silent runner keeps its shards (default 30 s). A third of it is how long one lock
   * refresh may take (CPU starvation, a slow or restarting store) before the runner gives its shards up.
   */
  readonly lockExpiration?: Duration.Input | undefined
  /** How often a runner probes the others (default 500 ms). */
  readonly probeInterval?: Duration.Input | undefined
  /** How often the runner looks in the store for messages (default 250 ms). */
  readonly pollInterval?: Duration.Input | undefined
}

/** Listens on `host:port` (0: a free port) until the scope closes; every connection is closed at once. */
const listen = (host: string, port: number): Effect.Effect<Address, RunnerAddressError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Server, RunnerAddressError>((resume) => {
      const server = createServer((socket) => socket.destroy())
      server.once("error", (e) =>
        resume(
          Effect.fail(
            new RunnerAddressError({ host, port, message: `cannot listen on ${host}:${port}: ${e.message}` })
          )
        )
      )
      server.listen(port, host, () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  ).pipe(
    Effect.map((server) => {
      const a = server.address()
      return { host, port: typeof a === "object" && a !== null ? a.port : port }
    })
  )

export type Probe = "alive" | "dead" | "unknown"

/** `dead` only when the connection is refused (no process listens there any more). */
export const probe = (address: Address, timeout = 1000): Effect.Effect<Probe> =>
  Effect.callback<Probe>((resume) => {
    const socket = createConnection({ host: address.host, port: address.port })
    const done = (result: Probe) => {
      socket.destroy()
      resume(Effect.succeed(result))
    }
    socket.setTimeout(timeout, () => done("unknown"))
    socket.once("connect", () => done("alive"))
    socket.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "dead" : "unknown"))
    return Effect.sync(() => socket.destroy())
  })

const parse = (address: string): Address | undefined => {
  const i = address.lastIndexOf(":")
  const port = Number(address.slice(i + 1))
  return i < 0 || !Number.isInteger(port) ? undefined : { host: address.slice(0, i), port }
}

/**
 * One round: probe every other registered runner; for each refused one, delete its row and its
 * shard locks - only if its heartbeat is still the one seen (a runner restarted on the same address
 * has registered anew and is left alone).
 */
export const reapDead = (self: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // the heartbeat as text: a JS Date would drop its microseconds and never compare equal
    const rows = yield* sql<{ readonly address: string; readonly heartbeat: string }>`
      SELECT address, last_heartbeat::text AS heartbeat FROM cluster_runners WHERE address <> ${self}`
    const reaped: Array<string> = []
    yield* Effect.forEach(
      rows,
      (row) =>
        Effect.gen(function* () {
          const address = parse(row.address)
          if (address === undefined || (yield* probe(address)) !== "dead") return
          const deleted = yield* sql.withTransaction(
            Effect.gen(function* () {
              const gone = yield* sql`DELETE FROM cluster_runners
                WHERE address = ${row.address} AND last_heartbeat::text = ${row.heartbeat} RETURNING address`
              if (gone.length > 0) yield* sql`DELETE FROM cluster_locks WHERE address = ${row.address}`
              return gone.length > 0
            })
          )
          if (deleted) reaped.push(row.address)
        }),
      { concurrency: 8, discard: true }
    )
    for (const a of reaped)
      yield* Effect.logWarning(`runner ${a} is gone (connection refused): its shards are free`)
    return reaped
  })

/**
 * The layer of one runner of a group on PostgreSQL (see the module comment): `Durable.runners`.
 * Offers what `Durable.runner` offers, and `Self`; `tta workflows runner` starts one per process.
 * A process that only starts and polls executions uses `Durable.remote`.
 */
export const layer = <W extends DurableWorkflow<any, any, any>>(options: Options<W>) =>
  Layer.unwrap(
    Effect.map(listen(options.address?.host ?? "127.0.0.1", options.address?.port ?? 0), (address) => {
      const expiration = Duration.fromInputUnsafe(options.lockExpiration ?? "30 seconds")
      const runner = Durable.runner({
        store: options.store,
        workflows: options.workflows,
        shards: options.shards,
        pollInterval: options.pollInterval,
        runnerAddress: address,
        failover: {
          lockExpiration: expiration,
          // effect/cluster gives each refresh (and each lock operation) this long before it drops
          // every shard; a third of the expiry (its own cap) is the most a starved runner can get
          lockRefresh: Duration.divideUnsafe(expiration, 3),
          assignmentRefresh: "1 second"
        }
      })
      const self = `${address.host}:${address.port}`
      const recover = Recovery.afterOutage(
        self,
        options.workflows,
        Duration.sum(expiration, Duration.seconds(10))
      )
      // An activity whose handler died with the connection can be left unanswered and never run
      // again (effect/cluster keeps it as in flight): LostReplies releases its shard, looked for only
      // for a minute after an outage (a round failed, or the round noticed a restarted server: a
      // restart between two rounds fails none of them).
      const lost = LostReplies.make(self)
      let failedAt = 0
      const round = Effect.flatMap(recover, (noticed) => {
        if (noticed) failedAt = Date.now()
        return Effect.andThen(
          Effect.suspend(() => (Date.now() - failedAt < 60_000 ? lost : Effect.void)),
          reapDead(self)
        )
      })
      const reaper = Layer.effectDiscard(
        round.pipe(
          Effect.catchCause((cause) =>
            Effect.andThen(
              Effect.sync(() => (failedAt = Date.now())),
              Effect.logDebug("probing runners failed", cause)
            )
          ),
          Effect.repeat(Schedule.spaced(Duration.fromInputUnsafe(options.probeInterval ?? "500 millis"))),
          Effect.forkScoped
        )
      )
      return Layer.provideMerge(reaper, runner).pipe(Layer.merge(Layer.succeed(Self)(address)))
    })
  )
