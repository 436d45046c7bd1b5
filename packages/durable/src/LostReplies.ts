/**
 * A step that finished while the store (PostgreSQL) was away may lose its result: effect/cluster
 * could not write the reply, and the run waits in memory for an activity nobody is running any more
 * (test/errors.test.ts, "down in the middle of a step"). This process knows which activities it is
 * running (`executing`, kept by Activities.ts); an activity message of this runner's shards with no
 * reply, older than `graceMillis` and not running here lost its reply. Dropping its shard's lock
 * makes effect/cluster interrupt the shard's executions, take the shard again and replay them: the
 * activity runs again (with the same idempotency key) and the run goes on.
 */
import { Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { executing } from "./Activities.ts"
import { timeOf } from "./Journal.ts"

/** One runner's check (`self`: its address); each lost message releases its shard once. */
export const make = (self: string, graceMillis = 10_000, settleMillis = 3_000) => {
  const released = new Set<string>()
  const since = new Map<string, number>()
  return Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{
      readonly id: string
      readonly entity_id: string
      readonly shard_id: string
      readonly payload: string
    }>`SELECT CAST(m.id AS TEXT) AS id, m.entity_id, m.shard_id, m.payload FROM cluster_messages m
      WHERE m.tag = 'activity' AND m.processed = false
      AND NOT EXISTS (SELECT 1 FROM cluster_replies r WHERE r.request_id = m.id)
      AND m.shard_id IN (SELECT shard_id FROM cluster_locks WHERE address = ${self})`
    const now = Date.now()
    const running = (r: (typeof rows)[number]) =>
      executing.has(`${r.entity_id}/${String((JSON.parse(String(r.payload)) as { name?: unknown })?.name)}`)
    // Releasing a shard interrupts every activity on it: a shard with one running here waits for a
    // later round (else an activity interrupted by the outage is interrupted again and runs 3 times).
    const busy = new Set(rows.filter(running).map((r) => r.shard_id))
    // A candidate must stay so for `settleMillis` of rounds: a message replayed after a release keeps
    // its old id (and age) and is briefly neither answered nor running while its entity restarts.
    const candidates = rows.filter(
      (r) => !busy.has(r.shard_id) && !released.has(r.id) && now - timeOf(r.id) >= graceMillis && !running(r)
    )
    const seen = new Map(candidates.map((r) => [r.id, since.get(r.id) ?? now]))
    since.clear()
    for (const [id, at] of seen) since.set(id, at)
    const lost = candidates.filter((r) => now - seen.get(r.id)! >= settleMillis)
    for (const r of lost) released.add(r.id)
    const shards = [...new Set(lost.map((r) => r.shard_id))]
    for (const shard of shards) {
      yield* sql`DELETE FROM cluster_locks WHERE shard_id = ${shard} AND address = ${self}`
      yield* Effect.logWarning(`shard ${shard} released: a step's result was lost with the store`)
    }
    return shards.length
  })
}
