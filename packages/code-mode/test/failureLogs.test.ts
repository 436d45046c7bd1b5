import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { McpConfig } from "@tta/mcp"
import { Effect, Layer } from "effect"
import { CodeMode } from "../src/CodeMode.ts"
import { Stack } from "../src/index.ts"

const stack = Layer.unwrap(
  Effect.map(McpConfig.decode({ mcpServers: {} }), (mcp) =>
    Stack.layer(mcp, { dir: mkdtempSync(join(tmpdir(), "tta-logs-")), typeCheck: false })
  )
)

describe("logs on failure (issue 13 item 10)", () => {
  it.effect("what the code printed before it threw comes back with the error", () =>
    Effect.gen(function* () {
      const cm = yield* CodeMode
      const error = yield* Effect.flip(
        cm.execute(`console.log("step 1 ok")\nconsole.warn("step 2 odd")\nthrow new Error("boom")`)
      )
      expect(error._tag).toBe("ExecutionError")
      expect(error.message).toContain("boom")
      expect(error._tag === "ExecutionError" ? error.logs : undefined).toEqual([
        { level: "log", message: "step 1 ok" },
        { level: "warn", message: "step 2 odd" }
      ])
    }).pipe(Effect.provide(stack))
  )
})
