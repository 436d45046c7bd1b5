// What naming the caller costs a tools/call (Callers.ts): warm McpHub.callTool on server-everything's
// `echo` with no Caller in context (the hub only looks) and with one (its call tracked in flight),
// in interleaved rounds of rotating order; the ratio is the median of per-round ratios.
// Run: node --conditions=@tta/source bench/callers.ts
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Callers, McpHub } from "@tta/mcp"
import { Effect } from "effect"

const pkgDir = join(import.meta.dirname, "..", "node_modules", "@modelcontextprotocol", "server-everything")
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { bin: Record<string, string> }
const server = {
  command: process.execPath,
  args: [join(pkgDir, pkg.bin["mcp-server-everything"] as string), "stdio"]
}
const ROUNDS = Number(process.env.ROUNDS ?? 41)
const PER_ROUND = 50
const median = (xs: ReadonlyArray<number>) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const caller: Callers.Caller = { log: () => {} }

await Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const hub = yield* McpHub.make({
        mcpServers: { everything: { type: "stdio", ...server, env: {} } }
      } as never)
      const loop = (n: number) =>
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* hub.callTool("everything", "echo", { message: "hello" })
        })
      const plain = () => Effect.runPromise(loop(PER_ROUND))
      const named = () => Effect.runPromise(Effect.provideService(loop(PER_ROUND), Callers.Caller, caller))
      yield* Effect.promise(() => Effect.runPromise(loop(1000)))
      yield* Effect.promise(() =>
        Effect.runPromise(Effect.provideService(loop(1000), Callers.Caller, caller))
      )
      const us = { plain: [] as Array<number>, named: [] as Array<number>, ratio: [] as Array<number> }
      for (let r = 0; r < ROUNDS; r++) {
        const round: Record<string, number> = {}
        for (const [name, run] of r % 2 === 0
          ? ([
              ["plain", plain],
              ["named", named]
            ] as const)
          : ([
              ["named", named],
              ["plain", plain]
            ] as const)) {
          const t = performance.now()
          yield* Effect.promise(run)
          round[name] = ((performance.now() - t) * 1000) / PER_ROUND
        }
        us.plain.push(round.plain as number)
        us.named.push(round.named as number)
        us.ratio.push((round.named as number) / (round.plain as number))
      }
      console.log(
        `callers: echo through the hub ${median(us.plain).toFixed(0)} µs/call with no caller, ` +
          `${median(us.named).toFixed(0)} µs/call with a caller (${median(us.ratio).toFixed(3)}x; ${ROUNDS} rounds of ${PER_ROUND})`
      )
    })
  )
)
