/** `tta tokens`: what the configured servers' tool definitions cost an agent, direct vs code mode. */
import { McpHub } from "@tta/mcp"
import { TokenAccount } from "@tta/observability"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Gateway from "../Gateway.ts"
import { loadConfig } from "./Config.ts"
import { oneLine, out } from "./Output.ts"
import { root } from "./Root.ts"

export const tokens = Command.make("tokens", {}, () =>
  Effect.gen(function* () {
    const { config, json: asJson } = yield* root
    const loaded = yield* loadConfig(config)
    const catalog = yield* McpHub.use((hub) => hub.catalog()).pipe(
      Effect.provide(McpHub.layerConfig(loaded.mcp))
    )
    const figures = yield* TokenAccount.account({
      catalog,
      calls: [],
      codeMode: { tools: Gateway.tools, read: [], code: [], returned: [] }
    })
    if (asJson) return yield* out(JSON.stringify(figures))
    const count = catalog.servers.reduce((n, s) => n + s.tools.length, 0)
    yield* out(
      `Tool definitions an agent carries before doing any work (${count} tools, ${catalog.servers.length} servers):\n`
    )
    yield* out(TokenAccount.table([{ label: "definitions", figures }]))
  }).pipe(oneLine)
).pipe(Command.withDescription("Token cost of the configured servers' definitions: direct vs code mode"))
