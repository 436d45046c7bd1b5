import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Policy } from "../src/index.ts"

describe("Policy", () => {
  it.effect("deny beats approve beats allow, then the default", () =>
    Effect.gen(function* () {
      const policy = yield* Policy.make({
        deny: ["filesystem/write_*"],
        approve: ["*/delete_*"],
        allow: ["filesystem/*", "memory/read_graph"],
        default: "deny"
      })
      expect(policy.check({ server: "filesystem", tool: "write_file" })).toEqual({
        decision: "deny",
        rule: "deny: filesystem/write_*"
      })
      expect(policy.check({ server: "memory", tool: "delete_entities" }).decision).toBe("approve")
      expect(policy.check({ server: "filesystem", tool: "read_text_file" }).decision).toBe("allow")
      expect(policy.check({ server: "memory", tool: "read_graph" }).decision).toBe("allow")
      expect(policy.check({ server: "memory", tool: "create_entities" })).toEqual({
        decision: "deny",
        rule: "default"
      })
    })
  )

  it.effect("rules can test MCP annotations with the spec's defaults", () =>
    Effect.gen(function* () {
      const policy = yield* Policy.make({
        allow: [{ tool: "*/*", readOnly: true }],
        deny: [{ tool: "*/*", destructive: true }],
        default: "approve"
      })
      expect(policy.check({ server: "a", tool: "get", annotations: { readOnlyHint: true } }).decision).toBe(
        "allow"
      )
      // No annotations: not read-only and (by the spec's default) destructive.
      expect(policy.check({ server: "a", tool: "put" }).decision).toBe("deny")
      expect(
        policy.check({
          server: "a",
          tool: "add",
          annotations: { readOnlyHint: false, destructiveHint: false }
        }).decision
      ).toBe("approve")
    })
  )

  it.effect("a bad rule is a typed error naming the field", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Policy.make({ allow: ["filesystem/*", "write_file"] }))
      expect(error._tag).toBe("PolicyConfigError")
      expect(error.message).toContain("allow[1]")
      expect(error.message).toContain('"server/tool"')
    })
  )
})
