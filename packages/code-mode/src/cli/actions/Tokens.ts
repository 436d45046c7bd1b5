/** The work of `tta tokens`: the catalog of every server, priced direct vs code mode. */
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import * as Effect from "effect/Effect"
import * as Gateway from "../../Gateway.ts"
import { out } from "../Output.ts"
import { loadConfig } from "./Config.ts"

export const tokens = (flags: { readonly config: string; readonly json: boolean }) =>
  Effect.gen(function* () {
    const loaded = yield* loadConfig(flags.config)
    const catalog = yield* McpHub.use((hub) => hub.catalog()).pipe(
      Effect.provide(McpHub.layerConfig(loaded.mcp))
    )
    const figures = yield* TokenAccount.account({
      catalog,
      calls: [],
      codeMode: { tools: Gateway.tools, read: [], code: [], returned: [] }
    })
    if (flags.json) return yield* out(JSON.stringify(figures))
    const count = catalog.servers.reduce((n, s) => n + s.tools.length, 0)
    yield* out(
      `Tool definitions an agent carries before doing any work (${count} tools, ${catalog.servers.length} servers):\n`
    )
    yield* out(TokenAccount.table([{ label: "definitions", figures }]))
  })
