/**
 * Reads the journal the engine keeps (effect/cluster's `cluster_messages` and `cluster_replies`),
 * in the same SQL on SQLite and PostgreSQL. Nothing here writes, except `purge`.
 */
import { Effect, type Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { ActivityEntry, ExecutionDetail, ExecutionSummary, Resolution, Status, Wait } from "./Model.ts"

const epoch = Date.UTC(2025, 0, 1)
/** The wall-clock time a snowflake id (message or reply) was made. */
export const timeOf = (id: string): number => Number(BigInt(id) >> 22n) + epoch
const snowflakeAt = (millis: number): string => String(BigInt(Math.max(0, millis - epoch)) << 22n)

const clockEntity = "Workflow/-/DurableClock"

/** A store no runner has opened yet has no journal tables: it holds no executions. */
const missingTable = (error: SqlError): boolean =>
  /no such table|does not exist/i.test(
    `${error.message} ${String((error.reason as { cause?: unknown }).cause ?? "")}`
  )
const orEmpty = <A>(self: Effect.Effect<A, SqlError>, empty: A): Effect.Effect<A, SqlError> =>
  Effect.catchIf(self, missingTable, () => Effect.succeed(empty))

export interface Row {
  readonly id: string
  readonly entity_type: string
  readonly entity_id: string
  readonly tag: string | null
  readonly payload: string | null
  readonly deliver_at: number | string | null
  readonly reply_id: string | null
  readonly reply: string | null
}

const select = (sql: SqlClient) =>
  sql`SELECT CAST(m.id AS TEXT) AS id, m.entity_type, m.entity_id, m.tag, m.payload, m.deliver_at,
      CAST(r.id AS TEXT) AS reply_id, r.payload AS reply
      FROM cluster_messages m LEFT JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0`

const parse = (text: string | null): any => {
  if (text === null) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

interface RunState {
  readonly status: Status
  readonly result?: unknown
  readonly error?: unknown
}

/** Status of an execution from the reply to its `run` request. */
const runState = (reply: unknown): RunState => {
  const r = reply as any
  if (r === undefined) return { status: "running" }
  if (r._tag !== "Success") return { status: "failed", error: r.cause }
  if (r.value?._tag === "Suspended") return { status: "waiting" }
  const exit = r.value?.exit
  if (exit?._tag === "Success") return { status: "succeeded", result: exit.value }
  const reasons: Array<any> = Array.isArray(exit?.cause) ? exit.cause : []
  const fail = reasons.find((x) => x?._tag === "Fail")
  if (fail !== undefined) return { status: "failed", error: fail.error }
  if (reasons.length > 0 && reasons.every((x) => x?._tag === "Interrupt")) return { status: "cancelled" }
  const die = reasons.find((x) => x?._tag === "Die")
  return { status: "failed", error: die?.defect ?? exit?.cause ?? null }
}

const activityKind = (name: string): ActivityEntry["kind"] =>
  name.startsWith("wait/")
    ? "wait"
    : name.endsWith("/compensate")
      ? "compensation"
      : name.startsWith("DurableClock/")
        ? "clock"
        : name.endsWith("/deadline")
          ? "clock"
          : "step"

const activityEntry = (row: Row): ActivityEntry => {
  const payload = parse(row.payload) ?? {}
  const reply = parse(row.reply)
  const exit = reply?._tag === "Success" ? reply.value?.exit : undefined
  const base = {
    name: String(payload.name),
    attempt: Number(payload.attempt ?? 1),
    kind: activityKind(String(payload.name)),
    startedAt: timeOf(row.id)
  }
  if (row.reply_id === null || reply?.value?._tag === "Suspended") return { ...base, status: "running" }
  const finishedAt = timeOf(row.reply_id)
  if (exit?._tag === "Success")
    return { ...base, status: "succeeded", finishedAt, result: exit.value ?? null }
  const reasons: Array<any> = Array.isArray(exit?.cause) ? exit.cause : []
  const fail = reasons.find((x) => x?._tag === "Fail")
  return { ...base, status: "failed", finishedAt, error: fail?.error ?? reasons[0]?.defect ?? null }
}

const detailsOf = (reply: any): Schema.Json | undefined => {
  const exit = reply?._tag === "Success" ? reply.value?.exit : undefined
  const value = exit?._tag === "Success" ? exit.value : undefined
  return typeof value === "object" && value !== null && "details" in value ? value.details : undefined
}

/** Waits from one execution's rows: asked for, not yet answered; plus clocks not yet due. */
const waitsOf = (
  rows: ReadonlyArray<Row>
): { readonly open: Array<Wait>; readonly all: Array<Resolution> } => {
  const resolutions = new Map<string, Resolution>()
  const clocks: Array<Wait> = []
  for (const row of rows) {
    const payload = parse(row.payload) ?? {}
    const name = String(payload.name ?? "")
    if (row.tag === "activity") {
      const m = /^wait\/(approval|signal)\/(.*)$/.exec(name)
      if (m === null) continue
      const key = `${m[1]}/${m[2]}`
      const prev = resolutions.get(key)
      // With `details` the wait journaled `{ since, details }` (else the time as a plain number).
      const begun = detailsOf(parse(row.reply))
      resolutions.set(key, {
        kind: m[1] as "approval" | "signal",
        name: m[2]!,
        ...prev,
        requestedAt: timeOf(row.id),
        ...(begun !== undefined ? { details: begun } : {})
      })
    } else if (row.tag === "deferred") {
      const m = /^(approval|signal)\/(.*)$/.exec(name)
      if (m === null) continue
      const key = `${m[1]}/${m[2]}`
      const value = payload.exit?._tag === "Success" ? payload.exit.value : undefined
      const decided =
        m[1] === "approval" && value !== undefined
          ? {
              approved: value.approved,
              by: value.by,
              ...(value.reason ? { reason: value.reason } : {}),
              value: value.value
            }
          : { value }
      resolutions.set(key, {
        kind: m[1] as "approval" | "signal",
        name: m[2]!,
        ...resolutions.get(key),
        resolvedAt: timeOf(row.id),
        ...decided
      })
    } else if (row.entity_type === clockEntity && row.reply_id === null && row.deliver_at !== null) {
      clocks.push({ kind: "sleep", name: String(payload.name), until: Number(row.deliver_at) })
    }
  }
  const all = [...resolutions.values()]
  const open: Array<Wait> = all
    .filter((r) => r.resolvedAt === undefined)
    .map((r) => ({
      kind: r.kind,
      name: r.name,
      ...(r.requestedAt !== undefined ? { since: r.requestedAt } : {}),
      ...(r.details !== undefined ? { details: r.details } : {})
    }))
  return { open: [...open, ...clocks], all }
}

const summary = (run: Row, rows: ReadonlyArray<Row>): ExecutionSummary & { readonly state: RunState } => {
  const state = runState(parse(run.reply))
  const payload = parse(run.payload) ?? {}
  const finished = state.status !== "running" && state.status !== "waiting" && run.reply_id !== null
  return {
    id: run.entity_id,
    workflow: run.entity_type.replace(/^Workflow\//, ""),
    version: String(payload.version ?? "?"),
    status: state.status,
    startedAt: timeOf(run.id),
    ...(finished ? { finishedAt: timeOf(run.reply_id!) } : {}),
    waitingOn: state.status === "waiting" || state.status === "running" ? waitsOf(rows).open : [],
    state
  }
}

export const list = (
  sql: SqlClient,
  options?: { readonly limit?: number | undefined; readonly workflow?: string | undefined }
): Effect.Effect<Array<ExecutionSummary>, SqlError> => orEmpty(listRows(sql, options), [])

const listRows = (
  sql: SqlClient,
  options?: { readonly limit?: number | undefined; readonly workflow?: string | undefined }
): Effect.Effect<Array<ExecutionSummary>, SqlError> =>
  Effect.gen(function* () {
    const limit = options?.limit ?? 100
    const runs = (yield* sql<Row>`${select(sql)} WHERE m.tag = 'run' AND m.entity_type LIKE 'Workflow/%'
      ${options?.workflow ? sql`AND m.entity_type = ${`Workflow/${options.workflow}`}` : sql``}
      ORDER BY m.id DESC LIMIT ${limit}`) as ReadonlyArray<Row>
    if (runs.length === 0) return []
    const ids = runs.map((r) => r.entity_id)
    const rows = (yield* sql<Row>`${select(sql)} WHERE m.entity_id IN ${sql.in(ids)}
      AND (m.tag = 'deferred' OR m.entity_type = ${clockEntity} OR m.payload LIKE ${'%"name":"wait/%'})`) as ReadonlyArray<Row>
    return runs.map((run) => {
      const { state: _, ...s } = summary(
        run,
        rows.filter((r) => r.entity_id === run.entity_id)
      )
      return s
    })
  })

/** The whole journal of one execution; none when the id is unknown. */
export const show = (sql: SqlClient, id: string): Effect.Effect<ExecutionDetail | undefined, SqlError> =>
  orEmpty(showRows(sql, id), undefined)

const showRows = (sql: SqlClient, id: string): Effect.Effect<ExecutionDetail | undefined, SqlError> =>
  Effect.gen(function* () {
    const rows =
      (yield* sql<Row>`${select(sql)} WHERE m.entity_id = ${id} ORDER BY m.id`) as ReadonlyArray<Row>
    const run = rows.find((r) => r.tag === "run" && r.entity_type !== clockEntity)
    if (run === undefined) return undefined
    const { state, ...s } = summary(run, rows)
    const { all } = waitsOf(rows)
    const activities = rows.filter((r) => r.tag === "activity").map(activityEntry)
    return {
      ...s,
      input: parse(run.payload)?.input ?? null,
      ...(state.result !== undefined ? { result: state.result as any } : {}),
      ...(state.error !== undefined ? { error: state.error as any } : {}),
      activities,
      waits: all,
      cancelRequested: rows.some(
        (r) => r.tag === "deferred" && parse(r.payload)?.name === "Workflow/InterruptSignal"
      )
    }
  })

/**
 * Deletes the journal of executions that finished (succeeded, failed or cancelled) before
 * `olderThanMillis` ago. Running and waiting executions are never purged.
 */
export const purge = (
  sql: SqlClient,
  olderThanMillis: number,
  now: number
): Effect.Effect<number, SqlError> => orEmpty(purgeRows(sql, olderThanMillis, now), 0)

const purgeRows = (sql: SqlClient, olderThanMillis: number, now: number): Effect.Effect<number, SqlError> =>
  sql.withTransaction(
    Effect.gen(function* () {
      const cutoff = snowflakeAt(now - olderThanMillis)
      const runs = (yield* sql<Row>`${select(sql)} WHERE m.tag = 'run' AND m.entity_type LIKE 'Workflow/%'
        AND r.id IS NOT NULL AND r.id < CAST(${cutoff} AS BIGINT)`) as ReadonlyArray<Row>
      const done = runs.filter((r) => {
        const status = runState(parse(r.reply)).status
        return status !== "running" && status !== "waiting"
      })
      if (done.length === 0) return 0
      const ids = done.map((r) => r.entity_id)
      yield* sql`DELETE FROM cluster_replies WHERE request_id IN (SELECT id FROM cluster_messages WHERE entity_id IN ${sql.in(ids)})`
      yield* sql`DELETE FROM cluster_messages WHERE entity_id IN ${sql.in(ids)}`
      return done.length
    })
  )
