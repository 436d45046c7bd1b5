/**
 * Output types learned from the results tools really return, for tools that declare no
 * outputSchema (codegen's Shape): kept per server, server version and tool in
 * `<root>/learned-types.json` (under `name@version`, or `name` when the server reports no version),
 * so that an upgraded server starts a new shape while older versions' entries stay in the file; so the
 * next session — and the next agent — sees `ListOrdersOutput = { orderId: number; … }[]` in the
 * generated file instead of `unknown` and writes the call without a probe run. Only shapes are kept,
 * never values (see Shape.ts). A person turns it off for all servers or for some
 * (`codeMode.learnTypes: false | { "exclude": ["server", …] }`).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { Shape, type ToolCatalog } from "@tta/codegen"
import { Effect, Schema } from "effect"

/** `codeMode.learnTypes`: on (default), off, or on except for the named servers. */
export const Setting = Schema.Union([Schema.Boolean, Schema.Struct({ exclude: Schema.Array(Schema.String) })])
export type Setting = typeof Setting.Type

export const fileName = "learned-types.json"

/** Per `server@version` (or `server`, as files written before versions were kept): per tool. */
type Store = Record<string, Record<string, Shape.Learned>>

/** The store's key for a server at a version. */
export const key = (server: string, version: string | undefined): string =>
  version === undefined ? server : `${server}@${version}`

export interface LearnedTypes {
  /** Learns from one successful call's result (cheap: large arrays are sampled). */
  readonly observe: (server: string, tool: string, result: unknown) => void
  /** The catalog with what was learned attached to the tools that declare no outputSchema. */
  readonly decorate: (catalog: ToolCatalog) => ToolCatalog
  /** Changes each time a learned type reads differently, so a cached tree can be made again. */
  readonly generation: () => number
  /** Writes what was learned, if anything changed since the last save (atomically). */
  readonly save: Effect.Effect<void>
}

const enabledFor = (setting: Setting) => (server: string) =>
  typeof setting === "boolean" ? setting : !setting.exclude.includes(server)

// Missing or unreadable: start afresh; the file is only a cache of what calls showed.
const readStore = (file: string): Effect.Effect<Store> =>
  Effect.tryPromise(async () => {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"))
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Store) : {}
  }).pipe(Effect.orElseSucceed((): Store => ({})))

/** What `root` has learned so far, without learning more (for `tta gen`). */
export const read = (root: string, setting: Setting = true): Effect.Effect<LearnedTypes> =>
  make(root, setting)

export const make = Effect.fnUntraced(function* (root: string, setting: Setting = true) {
  const file = join(root, fileName)
  const enabled = enabledFor(setting)
  const store: Store = setting === false ? {} : yield* readStore(file)
  let generation = 0
  let dirty = false
  const rendered = new Map<string, string>()
  /** The version each server reported in the last catalog decorated (calls follow that catalog). */
  const versions = new Map<string, string | undefined>()

  // What this version learned; failing that, an entry of a file written before versions were kept
  // (of some version of this server: better than `unknown`, and the first call here replaces it).
  const learnedOf = (server: string, tool: string): Shape.Learned | undefined =>
    enabled(server) ? (store[key(server, versions.get(server))]?.[tool] ?? store[server]?.[tool]) : undefined

  const observe = (server: string, tool: string, result: unknown) => {
    if (!enabled(server) || result === undefined) return
    const at = key(server, versions.get(server))
    const tools = store[at] ?? {}
    store[at] = tools
    const next = Shape.learn(tools[tool], result)
    tools[tool] = next
    dirty = true
    const id = `${at}/${tool}`
    const text = Shape.renderLearned(next)
    if (rendered.get(id) !== text) {
      rendered.set(id, text)
      generation++
    }
  }

  const decorate = (catalog: ToolCatalog): ToolCatalog => {
    for (const s of catalog.servers) versions.set(s.name, s.version)
    return decorated(catalog)
  }

  const decorated = (catalog: ToolCatalog): ToolCatalog => ({
    ...catalog,
    servers: catalog.servers.map((s) => ({
      ...s,
      tools: s.tools.map((t) => {
        const learnedOutput = t.outputSchema === undefined ? learnedOf(s.name, t.name) : undefined
        return learnedOutput === undefined ? t : { ...t, learnedOutput }
      })
    }))
  })

  const save = Effect.suspend(() => {
    if (!dirty) return Effect.void
    dirty = false
    const text = JSON.stringify(store)
    const tmp = `${file}.${process.pid}.tmp`
    // A failed write loses only what this run learned; the next run learns it again.
    return Effect.tryPromise(async () => {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(tmp, text)
      await rename(tmp, file)
    }).pipe(Effect.ignore)
  })

  return { observe, decorate, generation: () => generation, save } satisfies LearnedTypes
})
