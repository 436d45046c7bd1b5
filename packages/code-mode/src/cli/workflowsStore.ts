/**
 * The store behind `tta workflows`: @tta/durable's client on a location. Loaded with `import()` only
 * by the workflows subcommands, so other commands never load the engine or a SQL driver.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Durable, DurableClient, Store } from "@tta/durable"
import { Context, Effect, Layer, Schema, type Scope } from "effect"

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
