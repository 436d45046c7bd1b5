/**
 * The store behind `tta workflows`: @tta/durable's client on a location. Loaded with `import()` only
 * by the workflows subcommands, so other commands never load the engine or a SQL driver.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Durable, DurableClient, Runners, Store } from "@tta/durable"
import { Context, type Duration, Effect, Layer, Schema, type Scope } from "effect"

export type Admin = DurableClient.DurableClientShape

/** The command named a store that does not exist (nothing was created). */
export class StoreNotFound extends Schema.TaggedError<StoreNotFound>()("StoreNotFound", {
  path: Schema.String,
  message: Schema.String
}) {}

const isUrl = (location: string) => /^postgres(ql)?:\/\//.test(location)

/** The store at `location`: a postgres:// URL, else the embedded store's file (which must exist). */
export const storeAt = (location: string) =>
  Effect.try({
    try: () =>
      isUrl(location) ? Store.postgres({ url: location }) : Store.embedded({ path: resolve(location) }),
    catch: (e) => e as Store.StoreFailure
  }).pipe(
    Effect.flatMap((store) =>
      store._tag === "Embedded" && !existsSync(store.path)
        ? Effect.fail(
            new StoreNotFound({
              path: store.path,
              message: `no workflow store at ${store.path} (give --store, or set TTA_DATABASE_URL)`
            })
          )
        : Effect.succeed(store)
    )
  )

/** Opens @tta/durable's client on the store at `location` for the scope's lifetime. */
export const open = (
  location: string
): Effect.Effect<Admin, Store.StoreFailure | StoreNotFound, Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* storeAt(location)
    const context = yield* Layer.build(Durable.client({ store }))
    return Context.get(context, DurableClient.DurableClient)
  })

/** The module given to `tta workflows runner --workflows` could not be used. */
export class WorkflowModuleError extends Schema.TaggedError<WorkflowModuleError>()("WorkflowModuleError", {
  path: Schema.String,
  message: Schema.String
}) {}

interface WorkflowModule {
  readonly workflows?: ReadonlyArray<Durable.DurableWorkflow<any, any, any>>
  readonly default?: ReadonlyArray<Durable.DurableWorkflow<any, any, any>>
  /** Services the steps need (MCP servers, code mode, …), provided to the runner. */
  readonly layer?: Layer.Layer<any, any, never>
}

const loadModule = (path: string) =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(resolve(path)).href) as Promise<WorkflowModule>,
    catch: (e) =>
      new WorkflowModuleError({
        path,
        message: `cannot load workflows from ${path}: ${String((e as Error)?.message ?? e).split("\n")[0]}`
      })
  }).pipe(
    Effect.flatMap((mod) => {
      const workflows = mod.workflows ?? mod.default
      return Array.isArray(workflows) && workflows.length > 0
        ? Effect.succeed({ workflows, layer: mod.layer })
        : Effect.fail(
            new WorkflowModuleError({
              path,
              message: `${path} exports no \`workflows\`: an array of Durable.workflow(...) definitions`
            })
          )
    })
  )

/**
 * Runs the workflows of the module at `modulePath` on the store at `location` until interrupted
 * (SIGINT/SIGTERM): resumes what is in flight, runs what is started. The embedded store is created
 * if missing.
 */
export const serve = (
  location: string,
  modulePath: string,
  options: { readonly pollInterval?: string | undefined; readonly log: (line: string) => void }
) =>
  Effect.gen(function* () {
    const { workflows, layer } = yield* loadModule(modulePath)
    const store = yield* Effect.try({
      try: () =>
        isUrl(location) ? Store.postgres({ url: location }) : Store.embedded({ path: resolve(location) }),
      catch: (e) => e as Store.StoreFailure
    })
    const poll = options.pollInterval ? { pollInterval: options.pollInterval as Duration.Input } : {}
    // On PostgreSQL each runner joins the group (Runners: its own address, probed by the others, so
    // a dead runner's shards move in seconds); the embedded store has one runner.
    const runner =
      store._tag === "Postgres"
        ? Runners.layer({ store, workflows, ...poll })
        : Durable.runner({ store, workflows, ...poll })
    yield* Layer.build(layer ? runner.pipe(Layer.provide(layer)) : (runner as Layer.Layer<unknown, unknown>))
    options.log(
      `runner ${process.pid} on ${Store.describe(store)}: ${workflows.map((w) => `${w.name} v${w.version}`).join(", ")}`
    )
    return yield* Effect.never
  })
