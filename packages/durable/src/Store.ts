/**
 * Where the journal lives. The embedded store (the default) is one SQLite file through Node's
 * `node:sqlite`, no server; PostgreSQL (`TTA_DATABASE_URL`) is the store for several runners.
 */

import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { Effect, Layer, Redacted } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { DatabaseUnreachableError, StoreError, type StoreLockedError } from "./Errors.ts"
import * as SqliteClient from "./SqliteClient.ts"
import * as StoreLock from "./StoreLock.ts"

export interface EmbeddedStore {
  readonly _tag: "Embedded"
  /** The SQLite file (absolute). */
  readonly path: string
  /** See `SqliteClient.Synchronous`; `SELECTED` syncs the journal's facts (`journalFact`). */
  readonly synchronous: SqliteClient.Synchronous
}

export interface PostgresStore {
  readonly _tag: "Postgres"
  readonly url: Redacted.Redacted<string>
  readonly host: string
  readonly port: number
  readonly database: string
}

export type StoreConfig = EmbeddedStore | PostgresStore

export const defaultPath = ".tta/durable.db"

export const embedded = (options?: {
  readonly path?: string | undefined
  readonly synchronous?: SqliteClient.Synchronous | undefined
}): EmbeddedStore => ({
  _tag: "Embedded",
  path: resolve(options?.path ?? defaultPath),
  synchronous: options?.synchronous ?? "SELECTED"
})

const insertColumns = new Map<string, { readonly tag: number; readonly width: number } | null>()

/**
 * The writes that must be on disk before the engine goes on (with `SELECTED`): step results and
 * their resets (`cluster_replies`), and the requests that come from outside an execution - starts
 * (`run`) and decisions, signals and cancels (`deferred`). An activity's request is not among them:
 * lost, it is made again on replay, and the sync of its result covers it anyway. Shard-lock and
 * heartbeat bookkeeping never needs a sync.
 */
export const journalFact = (sql: string, params: ReadonlyArray<unknown>): boolean => {
  if (sql.includes("cluster_replies")) return !/^\s*SELECT/i.test(sql)
  if (!/^\s*INSERT/i.test(sql) || !sql.includes("cluster_messages")) return false
  let columns = insertColumns.get(sql)
  if (columns === undefined) {
    const list = /\(([^)]*)\)\s*VALUES/i
      .exec(sql)?.[1]
      ?.split(",")
      .map((c) => c.trim().replace(/"/g, ""))
    const tag = list?.indexOf("tag") ?? -1
    columns = list === undefined || tag < 0 ? null : { tag, width: list.length }
    insertColumns.set(sql, columns)
  }
  if (columns === null) return true
  for (let i = columns.tag; i < params.length; i += columns.width) {
    if (params[i] === "run" || params[i] === "deferred") return true
  }
  return false
}

/** PostgreSQL at `url` (default `TTA_DATABASE_URL`). Throws a StoreError when neither is given. */
export const postgres = (options?: { readonly url?: string | undefined }): PostgresStore => {
  const url = options?.url ?? process.env.TTA_DATABASE_URL
  if (url === undefined || url === "") {
    throw new StoreError({
      store: "postgres",
      message: "no PostgreSQL URL: pass { url } or set TTA_DATABASE_URL"
    })
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new StoreError({
      store: "postgres",
      message: "TTA_DATABASE_URL is not a URL (postgres://user@host:port/db)"
    })
  }
  return {
    _tag: "Postgres",
    url: Redacted.make(url),
    host: parsed.hostname || "localhost",
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    database: parsed.pathname.replace(/^\//, "") || "postgres"
  }
}

/** PostgreSQL when `TTA_DATABASE_URL` is set, else the embedded store at `path`. */
export const fromEnv = (options?: { readonly path?: string | undefined }): StoreConfig =>
  process.env.TTA_DATABASE_URL ? postgres() : embedded(options)

/** A one-line description without credentials: `embedded /x/durable.db`, `postgres db@host:port`. */
export const describe = (store: StoreConfig): string =>
  store._tag === "Embedded"
    ? `embedded ${store.path}`
    : `postgres ${store.database}@${store.host}:${store.port}`

export type StoreFailure = StoreError | StoreLockedError | DatabaseUnreachableError

const unreachable = (store: PostgresStore, cause: unknown) =>
  new DatabaseUnreachableError({
    host: store.host,
    port: store.port,
    database: store.database,
    message:
      `cannot reach PostgreSQL at ${store.host}:${store.port} (database ${store.database}): ` +
      // The driver's text can carry the URL; keep only its first line and strip anything like one.
      String((cause as { message?: unknown })?.message ?? cause)
        .split("\n")[0]!
        .replace(/postgres(ql)?:\/\/\S+/g, "<url>")
  })

/** `layer` with its construction error mapped by `f`. */
const mapLayerError = <A, E, E2, R>(layer: Layer.Layer<A, E, R>, f: (e: E) => E2): Layer.Layer<A, E2, R> =>
  Layer.effectContext(Effect.mapError(Layer.build(layer), f))

const pgLayer = (store: PostgresStore): Layer.Layer<SqlClient.SqlClient, StoreFailure> =>
  Layer.unwrap(
    Effect.map(
      // Loaded on first use: the embedded store never pays for the PostgreSQL driver.
      Effect.promise(() => import("@effect/sql-pg/PgClient")),
      (PgClient) =>
        Layer.effectDiscard(
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            Effect.mapError(sql`SELECT 1`, (e) => unreachable(store, e.reason?.cause ?? e))
          )
        ).pipe(
          Layer.provideMerge(
            mapLayerError(
              PgClient.layer({ url: store.url, connectTimeout: "5 seconds", applicationName: "tta-durable" }),
              (e) => unreachable(store, e.reason?.cause ?? e)
            )
          )
        )
    )
  ) as Layer.Layer<SqlClient.SqlClient, StoreFailure>

const sqliteLayer = (
  store: EmbeddedStore,
  runner: boolean
): Layer.Layer<SqlClient.SqlClient, StoreFailure> => {
  const client = mapLayerError(
    SqliteClient.layer({ filename: store.path, synchronous: store.synchronous, mustSync: journalFact }),
    (e) => new StoreError({ store: describe(store), message: e.message })
  )
  const prepare = Layer.effectDiscard(
    Effect.try({
      try: () => mkdirSync(dirname(store.path), { recursive: true }),
      catch: (e) => new StoreError({ store: describe(store), message: String(e) })
    })
  )
  const lock = runner ? Layer.effectDiscard(StoreLock.acquire(store.path)) : Layer.empty
  return Layer.provideMerge(client, Layer.merge(prepare, lock))
}

/** The `SqlClient` of a store; `runner` takes the embedded store's runner lock. */
export const sqlLayer = (
  store: StoreConfig,
  role: "runner" | "client"
): Layer.Layer<SqlClient.SqlClient, StoreFailure> =>
  store._tag === "Embedded" ? sqliteLayer(store, role === "runner") : pgLayer(store)
