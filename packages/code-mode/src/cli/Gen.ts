/** `tta gen <dir>`: write the generated API tree to disk, for a person to browse. */
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { Tree } from "@tta/codegen"
import { McpHub } from "@tta/mcp"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { loadConfig } from "./Config.ts"
import { oneLine, out, progress } from "./Output.ts"
import { root } from "./Root.ts"

export const gen = Command.make("gen", { out: Argument.String("dir") }, ({ out: target }) =>
  Effect.gen(function* () {
    const { config, json: asJson } = yield* root
    const loaded = yield* loadConfig(config)
    const files = yield* Effect.gen(function* () {
      const hub = yield* McpHub
      yield* progress("connecting servers and listing tools…")
      const catalog = yield* hub.catalog()
      for (const s of catalog.servers) {
        yield* progress(`  ${s.name}: ${s.error ? `unavailable (${s.error})` : `${s.tools.length} tools`}`)
      }
      return yield* Tree.generate(catalog)
    }).pipe(Effect.provide(McpHub.layerConfig(loaded.mcp)))
    for (const [path, source] of Object.entries(files)) {
      const full = join(resolve(target), path)
      yield* Effect.promise(async () => {
        await mkdir(dirname(full), { recursive: true })
        await writeFile(full, source)
      })
    }
    if (asJson) yield* out(JSON.stringify({ dir: resolve(target), files: Object.keys(files) }))
    else
      yield* out(`wrote ${Object.keys(files).length} files to ${resolve(target)} (start at servers/index.ts)`)
  }).pipe(oneLine)
).pipe(Command.withDescription("Write the generated API tree to a directory, for browsing"))
