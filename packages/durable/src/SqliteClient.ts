/**
 * An `effect/sql` client over Node 24's built-in `node:sqlite`, for the embedded store.
 *
 * Why our own: the published `@effect/sql-sqlite-node` (4.0.0-beta.102) imports `effect/unstable/...`
 * paths that effect 4.1 renamed, so it does not load; a pnpm patch would not reach people who install
 * @tta/durable from its tarball. Replace this module with the official adapter once it supports 4.1.
 *
 * One connection per client, shared through a semaphore (SQLite serialises writers anyway). WAL
 * journal, `busy_timeout` so a second process (the CLI) waits for the writer instead of failing.
 */

import { DatabaseSync, type StatementSync } from "node:sqlite"
import { Context, Effect, Layer, type Scope, Semaphore, Stream } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Client from "effect/sql/SqlClient"
import type { Connection } from "effect/sql/SqlConnection"
import { classifySqliteError, SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"

/**
 * When commits reach the disk (WAL journal in every mode; never `OFF`). All three survive a killed
 * process (kill -9): a commit is in the OS before it returns. They differ on power loss:
 * - `FULL`: every commit is synced (fsync) before it returns; nothing committed is lost.
 * - `SELECTED`: commits that `mustSync` selects are synced before they return (with everything
 *   committed before them: the WAL is one file); the others are synced by the next selected commit.
 *   Power loss keeps every selected commit and loses at most the unselected ones since.
 * - `NORMAL`: no sync at commit; power loss keeps the database consistent but may roll back the
 *   last commits.
 */
export type Synchronous = "FULL" | "SELECTED" | "NORMAL"

export interface SqliteClientConfig {
  readonly filename: string
  readonly readonly?: boolean | undefined
  /** Default `FULL`. */
  readonly synchronous?: Synchronous | undefined
  /** With `SELECTED`: whether a write statement's transaction must be synced before it returns. */
  readonly mustSync?: ((sql: string, params: ReadonlyArray<unknown>) => boolean) | undefined
  /** How long a statement waits for another process's write lock; default 5 000 ms. */
  readonly busyTimeoutMillis?: number | undefined
}

export interface SqliteClient extends Client.SqlClient {
  readonly config: SqliteClientConfig
}

export const SqliteClient = Context.Service<SqliteClient>("@tta/durable/SqliteClient")

/** The driver name `SqlClient.driver` reports (the cluster storages only single out `pglite`). */
export const driver = "sqlite-node"

const classify = (cause: unknown, message: string, operation: string) => {
  // node:sqlite reports the SQLite result code as `errcode`; effect's classifier reads `errno`.
  const withErrno =
    typeof cause === "object" && cause !== null && "errcode" in cause && !("errno" in cause)
      ? Object.assign(Object.create(Object.getPrototypeOf(cause)), cause, {
          errno: (cause as { errcode: unknown }).errcode,
          message: (cause as unknown as Error).message
        })
      : cause
  return new SqlError({ reason: classifySqliteError(withErrno, { message, operation }) })
}

const openDatabase = (options: SqliteClientConfig): DatabaseSync => {
  const db = new DatabaseSync(options.filename, {
    readOnly: options.readonly ?? false,
    timeout: options.busyTimeoutMillis ?? 5_000
  })
  if (options.readonly !== true) {
    db.exec("PRAGMA journal_mode = WAL")
    db.exec(
      `PRAGMA synchronous = ${options.synchronous === "FULL" || options.synchronous === undefined ? "FULL" : "NORMAL"}`
    )
    if (options.synchronous === "SELECTED") {
      db.exec("CREATE TABLE IF NOT EXISTS tta_sync (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    }
  }
  return db
}

/**
 * Syncs the WAL (and so every commit before) by committing one tiny write with synchronous=FULL.
 * SQLite has no "sync now"; the pragma may only change outside a transaction, which is where this runs.
 */
const syncer = (db: DatabaseSync) => {
  const write = db.prepare("INSERT OR REPLACE INTO tta_sync (id, n) VALUES (1, ?)")
  let n = 0
  return () => {
    db.exec("PRAGMA synchronous = FULL")
    try {
      write.run(++n)
    } finally {
      db.exec("PRAGMA synchronous = NORMAL")
    }
  }
}

const control = /^\s*(BEGIN|COMMIT|END|ROLLBACK)\b/i

/** Tracks the transaction of `SELECTED`: sync after the statement (or commit) that needs it. */
const selective = (db: DatabaseSync, mustSync: (sql: string, params: ReadonlyArray<unknown>) => boolean) => {
  const sync = syncer(db)
  let pending = false
  return (sql: string, params: ReadonlyArray<unknown>, execute: () => unknown): unknown => {
    const m = control.exec(sql)
    if (m !== null) {
      const word = m[1]!.toUpperCase()
      if (word === "BEGIN") pending = false
      const result = execute()
      if ((word === "COMMIT" || word === "END") && pending) sync()
      if (word !== "BEGIN") pending = false
      return result
    }
    const selected = mustSync(sql, params)
    const result = execute()
    if (selected) {
      if (db.isTransaction) pending = true
      else sync()
    }
    return result
  }
}

const makeConnection = (db: DatabaseSync, options: SqliteClientConfig): Connection => {
  const around =
    options.synchronous === "SELECTED" && options.mustSync !== undefined
      ? selective(db, options.mustSync)
      : (_sql: string, _params: ReadonlyArray<unknown>, execute: () => unknown) => execute()
  // Prepared statements are reused: the cluster storage runs the same few statements all the time.
  const prepared = new Map<string, StatementSync>()
  const prepare = (sql: string): StatementSync => {
    let statement = prepared.get(sql)
    if (statement === undefined) {
      statement = db.prepare(sql)
      if (prepared.size >= 500) prepared.delete(prepared.keys().next().value!)
      prepared.set(sql, statement)
    }
    return statement
  }
  const run = (
    sql: string,
    statement: () => StatementSync,
    params: ReadonlyArray<unknown>,
    mode: "rows" | "raw" | "values"
  ): Effect.Effect<any, SqlError> =>
    Effect.withFiber((fiber): Effect.Effect<any, SqlError> => {
      const safeIntegers = Context.get(fiber.context, Client.SafeIntegers)
      try {
        const s = statement()
        s.setReadBigInts(safeIntegers)
        s.setReturnArrays(mode === "values")
        const args = params as Array<any>
        if (s.columns().length > 0) return Effect.succeed(around(sql, params, () => s.all(...args)))
        const result = around(sql, params, () => s.run(...args)) as {
          changes: number | bigint
          lastInsertRowid: number | bigint
        }
        return Effect.succeed(
          mode === "raw" ? { changes: result.changes, lastInsertRowid: result.lastInsertRowid } : []
        )
      } catch (cause) {
        return Effect.fail(classify(cause, "Failed to execute statement", "execute"))
      }
    })
  return {
    execute: (sql, params, transformRows) => {
      const rows = run(sql, () => prepare(sql), params, "rows")
      return transformRows ? Effect.map(rows, transformRows) : rows
    },
    executeRaw: (sql, params) => run(sql, () => prepare(sql), params, "raw"),
    executeValues: (sql, params) => run(sql, () => prepare(sql), params, "values"),
    executeValuesUnprepared: (sql, params) => run(sql, () => db.prepare(sql), params, "values"),
    executeUnprepared: (sql, params, transformRows) => {
      const rows = run(sql, () => db.prepare(sql), params ?? [], "rows")
      return transformRows ? Effect.map(rows, transformRows) : rows
    },
    executeStream: () => Stream.die("executeStream is not supported by the node:sqlite client")
  }
}

/** Opens the database for the life of the scope. */
export const make = (
  options: SqliteClientConfig
): Effect.Effect<SqliteClient, SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => openDatabase(options),
        catch: (cause) => classify(cause, `Failed to open ${options.filename}`, "open")
      }),
      (db) => Effect.sync(() => db.close())
    )
    const connection = makeConnection(db, options)
    const semaphore = yield* Semaphore.make(1)
    const acquirers = Client.makeSqliteAcquirers({
      connection: Effect.succeed(connection),
      semaphore,
      isTransaction: () => db.isTransaction
    })
    const client = yield* Client.make({
      ...acquirers,
      compiler: Statement.makeCompilerSqlite(),
      driver,
      spanAttributes: [["db.system.name", "sqlite"]],
      prepareTransactionControls: true
    })
    return Object.assign(client, { config: options }) as SqliteClient
  })

export const layer = (options: SqliteClientConfig): Layer.Layer<SqliteClient | Client.SqlClient, SqlError> =>
  Layer.effectContext(
    Effect.map(make(options), (client) =>
      Context.make(SqliteClient, client).pipe(Context.add(Client.SqlClient, client))
    )
  ).pipe(Layer.provide(Reactivity.layer))
