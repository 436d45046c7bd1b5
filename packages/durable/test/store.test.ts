/**
 * The embedded store's SQL client and its durability modes, and what a store says about itself.
 */

import { DatabaseSync } from "node:sqlite"
import { Primitive, sequence } from "@tta/core"
import { Effect, Schema } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { afterEach, describe, expect, it } from "vitest"
import { Durable, SqliteClient, Store } from "../src/index.ts"
import { type Scratch, scratch } from "./support.ts"

let s: Scratch
afterEach(() => s?.cleanup())

describe("embedded store", () => {
  it.each([
    ["FULL", 2],
    ["SELECTED", 1],
    ["NORMAL", 1]
  ] as const)("synchronous %s opens WAL with PRAGMA synchronous=%i", async (mode, level) => {
    s = scratch()
    const rows = await Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.all([sql`PRAGMA journal_mode`, sql`PRAGMA synchronous`])
      ).pipe(Effect.provide(SqliteClient.layer({ filename: `${s.dir}/x.db`, synchronous: mode })))
    )
    expect(rows[0][0]).toEqual({ journal_mode: "wal" })
    expect(rows[1][0]).toEqual({ synchronous: level })
  })

  it("SELECTED syncs once per finished step (a result), not for bookkeeping", async () => {
    s = scratch()
    const path = `${s.dir}/j.db`
    const flow = Durable.workflow(
      "three",
      sequence(...["a", "b", "c"].map((n) => Primitive.lift(n, (x: number) => x + 1))),
      { input: Schema.Number }
    )
    const layer = Durable.runner({ store: Store.embedded({ path }), workflows: [flow] })
    expect(await Effect.runPromise(Effect.provide(flow.run(1), layer))).toBe(4)
    const db = new DatabaseSync(path, { readOnly: true })
    const syncs = (db.prepare("SELECT n FROM tta_sync").get() as { n: number }).n
    db.close()
    // 3 step results + the run's start and its result; a few more at most for resets.
    expect(syncs).toBeGreaterThanOrEqual(5)
    expect(syncs).toBeLessThan(12)
  })

  it("journalFact selects results, starts and decisions", () => {
    const insert = `INSERT OR IGNORE INTO "cluster_messages" ("id","message_id","shard_id","entity_type","entity_id","kind","tag","payload") VALUES (?,?,?,?,?,?,?,?)`
    const row = (tag: string) => ["1", "m", "s", "Workflow/x", "e", 0, tag, "{}"]
    expect(Store.journalFact(insert, row("run"))).toBe(true)
    expect(Store.journalFact(insert, row("deferred"))).toBe(true)
    expect(Store.journalFact(insert, row("activity"))).toBe(false)
    expect(Store.journalFact(insert, [...row("activity"), ...row("deferred")])).toBe(true)
    expect(Store.journalFact(`INSERT INTO "cluster_replies" ("id") VALUES (?)`, ["1"])).toBe(true)
    expect(Store.journalFact(`DELETE FROM "cluster_replies" WHERE request_id = ?`, ["1"])).toBe(true)
    expect(Store.journalFact(`SELECT * FROM "cluster_replies"`, [])).toBe(false)
    expect(Store.journalFact(`UPDATE "cluster_locks" SET acquired_at = CURRENT_TIMESTAMP`, [])).toBe(false)
  })

  it("describe never shows a password", () => {
    const pg = Store.postgres({ url: "postgres://app:hunter2@db.internal:6543/flows" })
    expect(Store.describe(pg)).toBe("postgres flows@db.internal:6543")
    expect(JSON.stringify(pg)).not.toContain("hunter2")
    expect(() => Store.postgres({ url: "" })).toThrow(/TTA_DATABASE_URL/)
  })
})
