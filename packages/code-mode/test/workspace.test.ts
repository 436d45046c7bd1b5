import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Workspace } from "../src/index.ts"

describe("Workspace host function", () => {
  it.effect("writes, reads, lists and removes real files", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "ws-"))
      const ws = Workspace.hostFunction(root)
      yield* ws("write", "reports/a.md", "# A")
      writeFileSync(join(root, "b.txt"), "bee")
      expect(readFileSync(join(root, "reports/a.md"), "utf8")).toBe("# A")
      expect(yield* ws("read", "b.txt")).toBe("bee")
      expect(yield* ws("list")).toEqual(["b.txt", "reports/a.md"])
      yield* ws("remove", "b.txt")
      expect(yield* ws("list")).toEqual(["reports/a.md"])
    })
  )

  it.effect("refuses paths that escape, missing files and bad operations with named errors", () =>
    Effect.gen(function* () {
      const root = mkdtempSync(join(tmpdir(), "ws-"))
      const ws = Workspace.hostFunction(root)
      const escaped = yield* Effect.flip(ws("write", "../evil.txt", "x"))
      expect(escaped.message).toBe("workspace/../evil.txt: path escapes the workspace")
      expect((yield* Effect.flip(ws("read", "/etc/passwd"))).message).toContain("escapes")
      expect((yield* Effect.flip(ws("read", "nope.txt"))).message).toBe("workspace/nope.txt: no such file")
      expect((yield* Effect.flip(ws("chmod", "a"))).message).toContain("unknown operation chmod")
      expect((yield* Effect.flip(ws("write", "a.txt", 42))).message).toContain("content must be a string")
    })
  )
})
