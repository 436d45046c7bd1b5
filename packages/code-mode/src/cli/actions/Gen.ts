/** The work of `tta gen`: list every server's tools and write the generated tree. */
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { Tree } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import * as Effect from "effect/Effect"
import { out, progress } from "../Output.ts"
import { loadConfig } from "./Config.ts"

export const gen = (flags: { readonly config: string; readonly json: boolean; readonly out: string }) =>
  Effect.gen(function* () {
    const loaded = yield* loadConfig(flags.config)
    const files = yield* Effect.gen(function* () {
      const hub = yield* McpHub
      yield* progress("connecting servers and listing tools…")
      const catalog = yield* hub.catalog()
      for (const s of catalog.servers) {
        yield* progress(`  ${s.name}: ${s.error ? `unavailable (${s.error})` : `${s.tools.length} tools`}`)
      }
      return yield* Tree.generate(catalog)
    }).pipe(Effect.provide(McpHub.layerConfig(loaded.mcp)))
    const target = resolve(flags.out)
    for (const [path, source] of Object.entries(files)) {
      const full = join(target, path)
      yield* Effect.promise(async () => {
        await mkdir(dirname(full), { recursive: true })
        await writeFile(full, source)
      })
    }
    if (flags.json) yield* out(JSON.stringify({ dir: target, files: Object.keys(files) }))
    else yield* out(`wrote ${Object.keys(files).length} files to ${target} (start at servers/index.ts)`)
  })
