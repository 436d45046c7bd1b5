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
import { Effect } from "effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

/** Startup parameters of a runner's PostgreSQL sessions. */
export const startupParameters = { synchronous_commit: "off" } as const

/** Installs (idempotently) the triggers; the cluster tables must exist. */
export const install = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError> =>
  sql.withTransaction(
    Effect.gen(function* () {
      // One installer at a time when several runners start together.
      yield* sql`SELECT pg_advisory_xact_lock(7407321)`
      yield* sql.unsafe(`
        CREATE OR REPLACE FUNCTION tta_durable_sync_commit() RETURNS trigger AS $$
        BEGIN
          PERFORM set_config('synchronous_commit', 'on', true);
          RETURN NULL;
        END $$ LANGUAGE plpgsql`)
      yield* sql.unsafe(`DROP TRIGGER IF EXISTS tta_durable_sync_replies ON cluster_replies`)
      yield* sql.unsafe(`
        CREATE TRIGGER tta_durable_sync_replies AFTER INSERT OR UPDATE OR DELETE ON cluster_replies
        FOR EACH STATEMENT EXECUTE FUNCTION tta_durable_sync_commit()`)
      yield* sql.unsafe(`DROP TRIGGER IF EXISTS tta_durable_sync_messages ON cluster_messages`)
      yield* sql.unsafe(`
        CREATE TRIGGER tta_durable_sync_messages AFTER INSERT ON cluster_messages
        FOR EACH ROW WHEN (NEW.tag IN ('run', 'deferred')) EXECUTE FUNCTION tta_durable_sync_commit()`)
    })
  )
