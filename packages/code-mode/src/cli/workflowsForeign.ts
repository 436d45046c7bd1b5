/**
 * Running a workflow module's definitions on the module's own copy of @tta/durable and effect. The
 * installed `tta` bundles its own copies; definitions built on another copy fail their executions
 * there (the engine cannot read their messages), so the runner is built and run in the module's
 * world: @tta/durable and effect resolved from the module's directory, the group run by that
 * effect's runtime, and this process only waits for it (and stops it on SIGINT/SIGTERM).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect } from "effect"

/** `<dir>/node_modules/<name>` of the nearest directory above `from` that has it. */
const findPackage = (from: string, name: string): string | undefined => {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name, "package.json")
    if (existsSync(candidate)) return dirname(realpathSync(candidate))
    if (dirname(dir) === dir) return undefined
  }
}

/** The ESM entry of the package in `dir` (its `exports["."].import`, else `default`, else `main`). */
const entryOf = (dir: string): string => {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: Record<string, unknown>
    main?: string
  }
  const dot = (pkg.exports?.["."] ?? pkg.exports) as Record<string, unknown> | string | undefined
  const pick = (e: unknown): string | undefined =>
    typeof e === "string"
      ? e
      : e && typeof e === "object"
        ? (pick((e as Record<string, unknown>).import) ?? pick((e as Record<string, unknown>).default))
        : undefined
  return join(dir, pick(dot) ?? pkg.main ?? "index.js")
}

/** The module's @tta/durable and effect, or undefined when it has none installed near it. */
export const worldOf = async (modulePath: string) => {
  const durableDir = findPackage(dirname(modulePath), "@tta/durable")
  if (durableDir === undefined) return undefined
  const effectDir = findPackage(durableDir, "effect")
  if (effectDir === undefined) return undefined
  const [durable, effect] = await Promise.all([
    import(pathToFileURL(entryOf(durableDir)).href),
    import(pathToFileURL(entryOf(effectDir)).href)
  ])
  return { durable, effect } as { durable: any; effect: any }
}

/**
 * Builds the runner layer with `world`'s @tta/durable and runs it with `world`'s effect until this
 * effect is interrupted; fails with the foreign runner's error (tagged, with its message).
 */
export const runInWorld = (
  world: { readonly durable: any; readonly effect: any },
  options: {
    readonly location: string
    readonly isUrl: boolean
    readonly workflows: ReadonlyArray<unknown>
    readonly layer: unknown
    readonly pollInterval?: string | undefined
    readonly log: (line: string) => void
  }
) =>
  Effect.callback<never, unknown>((resume) => {
    const { Durable, Runners, Store } = world.durable
    const { Cause, Effect: E, Fiber, Layer } = world.effect
    const poll = options.pollInterval ? { pollInterval: options.pollInterval } : {}
    const fiber = E.runFork(
      E.suspend(() => {
        const store = options.isUrl
          ? Store.postgres({ url: options.location })
          : Store.embedded({ path: options.location })
        const runner =
          store._tag === "Postgres"
            ? Runners.layer({ store, workflows: options.workflows, ...poll })
            : Durable.runner({ store, workflows: options.workflows, ...poll })
        const built = options.layer ? Layer.provide(runner, options.layer) : runner
        return E.scoped(
          E.andThen(
            Layer.build(built),
            E.andThen(
              E.sync(() =>
                options.log(
                  `runner ${process.pid} on ${Store.describe(store)}: ${options.workflows.map((w: any) => `${w.name} v${w.version}`).join(", ")}`
                )
              ),
              E.never
            )
          )
        )
      })
    )
    fiber.addObserver((exit: any) => {
      if (exit._tag === "Failure") resume(Effect.fail(Cause.squash(exit.cause)))
    })
    return Effect.promise(() => E.runPromise(Fiber.interrupt(fiber)))
  })
