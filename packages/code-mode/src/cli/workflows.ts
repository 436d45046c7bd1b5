/**
 * `tta workflows …`: list, inspect and steer durable workflows (@tta/durable) in a store — the
 * embedded one under the session directory by default, or PostgreSQL (`--store postgres://…` or
 * `TTA_DATABASE_URL`). @tta/durable is loaded only when one of these commands runs, so the rest of
 * `tta` does not pay for it.
 */
import { userInfo } from "node:os"
import { join, resolve } from "node:path"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Admin } from "./workflowsStore.ts"
import * as View from "./workflowsView.ts"

/** The root command's shared flags this command reads. */
export interface Shared {
  readonly dir: string
  readonly json: boolean
}

/** Turns a failure into one line on stderr and the process's exit code (Cli.ts's `oneLine`). */
export type OneLine = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<void, never, R>

/** Failures that mean the command was asked for something that is not there (exit code 2). */
const usageTags = new Set(["UnknownExecutionError", "UnknownWaitError", "StoreNotFound"])

class UsageError {
  readonly _tag = "UsageError"
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/** Errors the user can act on by changing the command are reported as usage errors. */
const asUsage = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.mapError(effect, (e) => {
    const tag = (e as { _tag?: string })._tag
    return tag !== undefined && usageTags.has(tag)
      ? new UsageError((e as { message?: string }).message ?? tag)
      : e
  })

const out = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))

const store = Flag.String("store").pipe(
  Flag.withDescription(
    "Workflow store: a file for the embedded store, or a postgres:// URL (default: $TTA_DATABASE_URL, else <dir>/durable.db)"
  ),
  Flag.optional
)

/** Where the workflows live: the flag, else TTA_DATABASE_URL, else the session directory's file. */
export const storeLocation = (flag: Option.Option<string>, dir: string): string =>
  Option.getOrUndefined(flag) ?? process.env.TTA_DATABASE_URL ?? join(resolve(dir), "durable.db")

const by = Flag.String("by").pipe(
  Flag.withDescription("Who decides (kept in the journal; default: the OS user)"),
  Flag.optional
)
const whoFrom = (flag: Option.Option<string>) =>
  Option.getOrUndefined(flag) ?? process.env.USER ?? userInfo().username

const value = Flag.String("value").pipe(
  Flag.withDescription("A JSON value handed to the workflow"),
  Flag.optional
)
const parseValue = (flag: Option.Option<string>) =>
  Option.match(flag, {
    onNone: () => Effect.succeed(undefined as unknown),
    onSome: (text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => new UsageError(`--value is not JSON: ${text}`)
      })
  })

const units: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }

/** `90s`, `30m`, `12h`, `7d`, `2w` → milliseconds. */
export const parseAge = (text: string): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim())
  return m ? Number(m[1]) * units[m[2]!]! : undefined
}

/** Opens the store (loading @tta/durable on first use), runs `f`, closes the store. */
const withAdmin = <A, E>(
  flags: { readonly store: Option.Option<string> },
  shared: Shared,
  f: (admin: Admin) => Effect.Effect<A, E>
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { open } = yield* Effect.promise(() => import("./workflowsStore.ts"))
      const admin = yield* open(storeLocation(flags.store, shared.dir))
      return yield* f(admin)
    })
  ).pipe(asUsage)

/** Builds `tta workflows` under the root command whose shared flags it reads. */
export const workflows = <R>(root: Effect.Effect<Shared, never, R>, oneLine: OneLine) => {
  const ls = Command.make(
    "ls",
    {
      store,
      status: Flag.String("status").pipe(
        Flag.withDescription("Only workflows in this state (running, waiting, succeeded, failed, cancelled)"),
        Flag.optional
      ),
      workflow: Flag.String("workflow").pipe(Flag.withDescription("Only this workflow"), Flag.optional),
      limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many"), Flag.optional)
    },
    (flags) =>
      Effect.gen(function* () {
        const shared = yield* root
        const status = Option.getOrUndefined(flags.status)
        const all = yield* withAdmin(flags, shared, (admin) =>
          admin.list({
            workflow: Option.getOrUndefined(flags.workflow),
            limit: Option.getOrUndefined(flags.limit)
          })
        )
        const rows = status === undefined ? all : all.filter((r) => r.status === status)
        yield* out(shared.json ? JSON.stringify(rows) : View.table(rows))
      }).pipe(oneLine)
  ).pipe(Command.withDescription("List workflows: id, name, version, status, started, waiting on"))

  const show = Command.make("show", { store, id: Argument.String("id") }, (flags) =>
    Effect.gen(function* () {
      const shared = yield* root
      const journal = yield* withAdmin(flags, shared, (admin) => admin.show(flags.id))
      yield* out(shared.json ? JSON.stringify(journal) : View.journal(journal))
    }).pipe(oneLine)
  ).pipe(
    Command.withDescription(
      "Show a workflow's journal: activities and attempts, results, compensations, approvals (who, when)"
    )
  )

  const decide = (verb: "approve" | "reject") =>
    Command.make(
      verb,
      {
        store,
        by,
        value,
        reason: Flag.String("reason").pipe(Flag.withDescription("Why (kept in the journal)"), Flag.optional),
        id: Argument.String("id"),
        name: Argument.String("approval")
      },
      (flags) =>
        Effect.gen(function* () {
          const shared = yield* root
          const decision = {
            by: whoFrom(flags.by),
            value: yield* parseValue(flags.value),
            reason: Option.getOrUndefined(flags.reason)
          }
          yield* withAdmin(flags, shared, (admin) =>
            verb === "approve"
              ? admin.approve(flags.id, flags.name, {
                  by: decision.by,
                  ...(decision.value === undefined ? {} : { value: decision.value })
                })
              : admin.reject(flags.id, flags.name, { by: decision.by, reason: decision.reason })
          )
          yield* out(
            shared.json
              ? JSON.stringify({ id: flags.id, approval: flags.name, decision: verb, by: decision.by })
              : `${verb === "approve" ? "approved" : "rejected"} ${flags.name} of ${flags.id} (by ${decision.by})`
          )
        }).pipe(oneLine)
    ).pipe(
      Command.withDescription(
        verb === "approve"
          ? "Approve a workflow's pending approval (the workflow resumes)"
          : "Reject a workflow's pending approval (the workflow fails and compensates)"
      )
    )

  const signal = Command.make(
    "signal",
    { store, value, id: Argument.String("id"), name: Argument.String("signal") },
    (flags) =>
      Effect.gen(function* () {
        const shared = yield* root
        const payload = (yield* parseValue(flags.value)) ?? null
        yield* withAdmin(flags, shared, (admin) => admin.signal(flags.id, flags.name, payload))
        yield* out(
          shared.json
            ? JSON.stringify({ id: flags.id, signal: flags.name })
            : `signalled ${flags.name} to ${flags.id}`
        )
      }).pipe(oneLine)
  ).pipe(Command.withDescription("Send a signal a workflow waits on, with an optional JSON value"))

  const cancel = Command.make("cancel", { store, id: Argument.String("id") }, (flags) =>
    Effect.gen(function* () {
      const shared = yield* root
      yield* withAdmin(flags, shared, (admin) => admin.cancel(flags.id))
      yield* out(shared.json ? JSON.stringify({ id: flags.id, cancelled: true }) : `cancelled ${flags.id}`)
    }).pipe(oneLine)
  ).pipe(Command.withDescription("Cancel a running or waiting workflow; its compensations run"))

  const purge = Command.make(
    "purge",
    {
      store,
      olderThan: Flag.String("older-than").pipe(
        Flag.withDescription("Age of finished workflows to delete: 90s, 30m, 12h, 7d, 2w")
      )
    },
    (flags) =>
      Effect.gen(function* () {
        const shared = yield* root
        const age = parseAge(flags.olderThan)
        if (age === undefined)
          return yield* Effect.fail(
            new UsageError(
              `--older-than ${flags.olderThan}: expected a number and a unit (s, m, h, d, w), e.g. 7d`
            )
          )
        const { purged: removed } = yield* withAdmin(flags, shared, (admin) =>
          admin.purge({ olderThan: age })
        )
        yield* out(
          shared.json
            ? JSON.stringify({ removed })
            : `purged ${removed} finished workflow${removed === 1 ? "" : "s"} older than ${flags.olderThan}`
        )
      }).pipe(oneLine)
  ).pipe(Command.withDescription("Delete the journals of finished workflows older than an age"))

  return Command.make("workflows").pipe(
    Command.withSubcommands([ls, show, decide("approve"), decide("reject"), signal, cancel, purge]),
    Command.withDescription("Durable workflows: list, inspect, approve, reject, signal, cancel, purge")
  )
}
