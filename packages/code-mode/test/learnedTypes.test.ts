import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { McpConfig } from "@tta/mcp"
import { Effect, Layer } from "effect"
import { CodeMode } from "../src/CodeMode.ts"
import { Stack } from "../src/index.ts"

const ordersServer = join(import.meta.dirname, "fixtures", "ordersServer.ts")
const call = `import { listOrders } from "./servers/orders/index.ts"
const rows = await listOrders({ limit: 6 })
export default rows.length`

const stack = (dir: string, learnTypes?: Stack.StackOptions["learnTypes"], version = "1.0.0") =>
  Layer.unwrap(
    Effect.map(
      McpConfig.decode({
        mcpServers: { orders: { command: process.execPath, args: [ordersServer, version] } }
      }),
      (mcp) =>
        Stack.layer(mcp, { dir, typeCheck: false, ...(learnTypes === undefined ? {} : { learnTypes }) })
    )
  )

const outputType = (file: string) => /export type ListOrdersOutput = [\s\S]*?\n\n/.exec(file)?.[0] ?? ""

describe("learned output types", () => {
  it.effect("a tool without outputSchema shows the type its results had, in this session and the next", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "tta-learned-"))
      const before = yield* CodeMode.use((cm) => cm.readApi("servers/orders/listOrders.ts")).pipe(
        Effect.provide(stack(dir))
      )
      expect(before).toContain("export type ListOrdersOutput = unknown")
      const after = yield* Effect.gen(function* () {
        const cm = yield* CodeMode
        expect((yield* cm.execute(call)).value).toBe(6)
        expect((yield* cm.execute(call)).value).toBe(6)
        return yield* cm.readApi("servers/orders/listOrders.ts")
      }).pipe(Effect.provide(stack(dir)))
      const type = outputType(after)
      expect(after).toContain("/** Inferred from 2 results (the tool declares no output schema)")
      expect(type).toContain("customerEmail?: string")
      expect(type).toContain("paidAt?: string")
      expect(type).toContain('status?: "open" | "paid"')
      expect(type).toContain("totalCents?: number")
      // Values never reach the type, nor the file it is kept in.
      expect(after).not.toContain("example.org")
      const kept = readFileSync(join(dir, "learned-types.json"), "utf8")
      expect(kept).not.toContain("example.org")
      // A new session over the same directory starts from what was learned.
      const next = yield* CodeMode.use((cm) => cm.readApi("servers/orders/listOrders.ts")).pipe(
        Effect.provide(stack(dir))
      )
      expect(outputType(next)).toBe(type)
    })
  )

  it.effect(
    "types are kept per server version: an upgrade starts a new shape, older entries stay readable",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "tta-learned-"))
        const learnAt = (version: string) =>
          Effect.gen(function* () {
            const cm = yield* CodeMode
            const before = outputType(yield* cm.readApi("servers/orders/listOrders.ts"))
            yield* cm.execute(call)
            return { before, after: outputType(yield* cm.readApi("servers/orders/listOrders.ts")) }
          }).pipe(Effect.provide(stack(dir, undefined, version)))
        const v1 = yield* learnAt("1.0.0")
        expect(v1.after).toContain("totalCents?: number")
        // 2.0.0 has learned nothing yet: not 1.0.0's shape, and then only its own
        const v2 = yield* learnAt("2.0.0")
        expect(v2.before).toContain("= unknown")
        expect(v2.after).toContain("amountCents?: number")
        expect(v2.after).not.toContain("totalCents")
        const kept = JSON.parse(readFileSync(join(dir, "learned-types.json"), "utf8"))
        expect(Object.keys(kept).sort()).toEqual(["orders@1.0.0", "orders@2.0.0"])
        // back on 1.0.0, its entry is still there
        const again = yield* learnAt("1.0.0")
        expect(again.before).toBe(v1.after)

        // A file written before versions were kept (keyed by server name) is still read.
        const legacy = mkdtempSync(join(tmpdir(), "tta-learned-"))
        writeFileSync(join(legacy, "learned-types.json"), JSON.stringify({ orders: kept["orders@1.0.0"] }))
        const read = yield* CodeMode.use((cm) => cm.readApi("servers/orders/listOrders.ts")).pipe(
          Effect.provide(stack(legacy))
        )
        expect(outputType(read)).toContain("totalCents?: number")
      })
  )

  it.effect("a person can turn it off for a server", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "tta-learned-"))
      const file = yield* Effect.gen(function* () {
        const cm = yield* CodeMode
        yield* cm.execute(call)
        yield* cm.execute(call)
        return yield* cm.readApi("servers/orders/listOrders.ts")
      }).pipe(Effect.provide(stack(dir, { exclude: ["orders"] })))
      expect(file).toContain("export type ListOrdersOutput = unknown")
      expect(existsSync(join(dir, "learned-types.json"))).toBe(false)
    })
  )
})
