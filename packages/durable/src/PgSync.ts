/**
 * Selective synchronous commit on PostgreSQL, the counterpart of the embedded store's `SELECTED`.
 *
 * The engine commits ~5 times per activity; with PostgreSQL's default (`synchronous_commit = on`)
 * each commit waits for its WAL flush. A runner's sessions start with `synchronous_commit = off`,
 * and triggers switch it back on (`set_config(..., true)`: for the current transaction) in every
 * transaction that writes a journal fact - a step result or its reset (`cluster_replies`), a start
 * or a decision/signal/cancel (`cluster_messages` rows tagged `run` or `deferred`). PostgreSQL
 * decides a transaction's durability at its commit, and flushing its WAL flushes everything before
 * it. So every journal fact is on disk before its COMMIT returns; only bookkeeping (shard locks,
 * heartbeats) and activity requests may be lost in a server crash, and those are made again.
 */
import { Effect, Schedule } from "effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

/** Startup parameters of a runner's PostgreSQL sessions. */
export const startupParameters = { synchronous_commit: "off" } as const

const triggers = [
  {
    name: "tta_durable_sync_replies",
    table: "cluster_replies",
    definition: "AFTER INSERT OR UPDATE OR DELETE ON cluster_replies FOR EACH STATEMENT"
  },
  {
    name: "tta_durable_sync_messages",
    table: "cluster_messages",
    definition: "AFTER INSERT ON cluster_messages FOR EACH ROW WHEN (NEW.tag IN ('run', 'deferred'))"
  }
] as const

/**
 * Installs the function and triggers unless they are there. Each trigger in a transaction of its
 * own (one table lock at a time: DDL beside a running runner must not deadlock with it), under an
 * advisory lock so runners starting together install once; retried when a busy table refuses.
 */
export const install = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    const present = (yield* sql<{ readonly tgname: string }>`SELECT tgname FROM pg_trigger
      WHERE tgname IN ${sql.in(triggers.map((t) => t.name))}`).map((r) => r.tgname)
    if (present.length === triggers.length) return
    yield* sql.withTransaction(
      Effect.andThen(
        sql`SELECT pg_advisory_xact_lock(7407321)`,
        sql.unsafe(`CREATE OR REPLACE FUNCTION tta_durable_sync_commit() RETURNS trigger AS $$
          BEGIN
            PERFORM set_config('synchronous_commit', 'on', true);
            RETURN NULL;
          END $$ LANGUAGE plpgsql`)
      )
    )
    for (const t of triggers) {
      if (present.includes(t.name)) continue
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock(7407321)`
          const again = yield* sql`SELECT 1 FROM pg_trigger WHERE tgname = ${t.name}`
          if (again.length > 0) return
          yield* sql.unsafe(
            `CREATE TRIGGER ${t.name} ${t.definition} EXECUTE FUNCTION tta_durable_sync_commit()`
          )
        })
      )
    }
  }).pipe(Effect.retry({ times: 5, schedule: Schedule.spaced("200 millis") }))
