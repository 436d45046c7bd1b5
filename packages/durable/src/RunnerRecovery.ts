/**
 * What a runner of a group does after its store (PostgreSQL) was unreachable or restarted, so that
 * no execution stalls. Two effect/cluster behaviours make executions stall after an outage (seen in
 * test/scaleout.test.ts, "PostgreSQL restarted mid-run"):
 * - messages are claimed by setting `last_read` and claimed ones are skipped for ten minutes; a claim
 *   committed just before the connection dropped never reached the runner. Fix: read the unprocessed
 *   messages of this runner's shards again (a message the runner is already processing is ignored).
 * - when refreshing the shard locks times out, the runner releases its shards and interrupts their
 *   executions: the interrupted activity replies `Suspended`, so does the run, and nothing wakes the
 *   run again. Fix: resume (`WorkflowEngine.resume`) the suspended runs of this runner's shards that
 *   have an interrupted activity, for a while after the outage. The interrupted activity runs again.
 */
import { Duration, Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import type { DurableWorkflow } from "./DurableWorkflow.ts"

/** Resumes the suspended runs on `self`'s shards that have an interrupted (`Suspended`) activity. */
export const resumeInterrupted = (self: string, workflows: ReadonlyArray<DurableWorkflow<any, any, any>>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const engine = yield* WorkflowEngine.WorkflowEngine
    const rows = yield* sql<{ readonly entity_type: string; readonly entity_id: string }>`
      SELECT DISTINCT run.entity_type, run.entity_id
      FROM cluster_messages run JOIN cluster_replies rr ON rr.request_id = run.request_id
      WHERE run.tag = 'run' AND rr.kind = 0 AND rr.payload::text LIKE '%"Suspended"%'
      AND run.shard_id IN (SELECT shard_id FROM cluster_locks WHERE address = ${self})
      AND EXISTS (
        SELECT 1 FROM cluster_messages a JOIN cluster_replies ar ON ar.request_id = a.request_id
        WHERE a.entity_type = run.entity_type AND a.entity_id = run.entity_id AND a.tag = 'activity'
        AND ar.kind = 0 AND ar.payload::text LIKE '%"Suspended"%')`
    for (const row of rows) {
      const flow = workflows.find((w) => `Workflow/${w.name}` === row.entity_type)
      if (flow !== undefined) yield* engine.resume(flow.workflow, row.entity_id)
    }
    return rows.length
  })

/**
 * Runs held in memory waiting for an activity whose reply is already in the store (the notification
 * was lost with the connection): their run message is unprocessed, without a reply, and every activity
 * message of the execution is processed. Seen so for 5 s (`seen`: first seen at), their shard's lock is dropped:
 * effect/cluster then interrupts the shard's executions, takes the shard again and replays them.
 */
export const releaseStuck = (self: string, seen: Map<string, number>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly entity_id: string; readonly shard_id: string }>`
      SELECT m.entity_id, m.shard_id FROM cluster_messages m
      WHERE m.tag = 'run' AND m.processed = false
      AND m.shard_id IN (SELECT shard_id FROM cluster_locks WHERE address = ${self})
      AND NOT EXISTS (SELECT 1 FROM cluster_replies r WHERE r.request_id = m.request_id)
      AND NOT EXISTS (SELECT 1 FROM cluster_messages a WHERE a.entity_id = m.entity_id
        AND a.entity_type = m.entity_type AND a.tag <> 'run' AND a.processed = false)`
    const now = Date.now()
    const current = new Map(rows.map((r) => [r.entity_id, seen.get(r.entity_id) ?? now]))
    const stuck = rows.filter((r) => now - current.get(r.entity_id)! >= 5000)
    seen.clear()
    for (const [id, at] of current) if (!stuck.some((r) => r.entity_id === id)) seen.set(id, at)
    const shards = [...new Set(stuck.map((r) => r.shard_id))]
    for (const shard of shards) {
      yield* sql`DELETE FROM cluster_locks WHERE shard_id = ${shard} AND address = ${self}`
      yield* Effect.logWarning(
        `shard ${shard} released: an execution on it waited for a result already stored`
      )
    }
    return shards.length
  })

/**
 * One round, run every probe interval: notices an outage (a failed query, or a new server start
 * time), then reads this runner's unprocessed messages again and, for `window`, resumes interrupted runs.
 * Succeeds with `true` in the round that noticed the store is back after an outage.
 */
export const afterOutage = (
  self: string,
  workflows: ReadonlyArray<DurableWorkflow<any, any, any>>,
  window: Duration.Duration
) => {
  let serverStart: string | undefined
  let outage = false
  let resumeUntil = 0
  const stuckSeen = new Map<string, number>()
  return Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* Effect.tapError(
      sql<{ readonly started: string }>`SELECT pg_postmaster_start_time()::text AS started`,
      () => Effect.sync(() => (outage = true))
    )
    const started = rows[0]?.started
    if (serverStart !== undefined && started !== serverStart) outage = true
    serverStart = started
    const noticed = outage
    if (outage) {
      yield* sql`UPDATE cluster_messages SET last_read = NULL
        WHERE processed = false AND last_read IS NOT NULL
        AND shard_id IN (SELECT shard_id FROM cluster_locks WHERE address = ${self})`
      outage = false
      resumeUntil = Date.now() + Duration.toMillis(window)
      yield* Effect.logInfo(
        "the store answers again: this runner reads its shards' unprocessed messages again"
      )
    }
    if (Date.now() < resumeUntil) {
      // claims made while the shards were being released and taken again can be lost the same way
      yield* sql`UPDATE cluster_messages SET last_read = NULL
        WHERE processed = false AND last_read < now() - interval '5 seconds'
        AND shard_id IN (SELECT shard_id FROM cluster_locks WHERE address = ${self})`
      yield* releaseStuck(self, stuckSeen)
      const resumed = yield* resumeInterrupted(self, workflows)
      if (resumed > 0) yield* Effect.logInfo(`resumed ${resumed} executions interrupted by the outage`)
    }
    return noticed
  })
}
