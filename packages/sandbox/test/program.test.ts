import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { normalizePath, prepare, resolveSpecifier } from "../src/Program.ts"

describe("Program", () => {
  const mounted = new Set([
    "agent.ts",
    "servers/fs/index.ts",
    "servers/fs/read.ts",
    "servers/_runtime.ts",
    "skills/a/index.ts"
  ])
  const has = (p: string) => mounted.has(p)

  it("resolves relative specifiers against the importing module", () => {
    assert.strictEqual(resolveSpecifier("./servers/fs/index.ts", "agent.ts", has), "servers/fs/index.ts")
    assert.strictEqual(resolveSpecifier("./read.ts", "servers/fs/index.ts", has), "servers/fs/read.ts")
    assert.strictEqual(resolveSpecifier("../_runtime.ts", "servers/fs/read.ts", has), "servers/_runtime.ts")
    assert.strictEqual(resolveSpecifier("../../servers/fs", "skills/a/index.ts", has), "servers/fs/index.ts")
    assert.strictEqual(resolveSpecifier("./servers/fs/read", "agent.ts", has), "servers/fs/read.ts")
  })

  it("refuses bare specifiers, node: modules and paths leaving the root", () => {
    assert.isUndefined(resolveSpecifier("node:fs", "agent.ts", has))
    assert.isUndefined(resolveSpecifier("fs", "agent.ts", has))
    assert.isUndefined(resolveSpecifier("../agent.ts", "agent.ts", has))
    assert.isUndefined(resolveSpecifier("./servers/missing.ts", "agent.ts", has))
  })

  it("normalises mounted paths and rejects escapes", () => {
    assert.strictEqual(normalizePath("./servers//fs/index.ts"), "servers/fs/index.ts")
    assert.strictEqual(normalizePath("/skills/a/index.ts"), "skills/a/index.ts")
    assert.isUndefined(normalizePath("../x.ts"))
    assert.isUndefined(normalizePath("a/../../x.ts"))
    assert.isUndefined(normalizePath("a\\b.ts"))
    assert.isUndefined(normalizePath(""))
  })

  it.effect("strips types in place, so every line keeps its number", () =>
    Effect.gen(function* () {
      const code = `interface A {\n  a: string\n}\nconst x: A = { a: "1" }\nexport default x as A`
      const program = yield* prepare(code, { "skills/a/SKILL.md": "# not code: kept as is: string" })
      const out = program.modules.get("agent.ts") ?? ""
      assert.strictEqual(out.split("\n").length, code.split("\n").length)
      assert.match(out.split("\n")[3] ?? "", /^const x\s+= \{ a: "1" \}$/)
      assert.strictEqual(program.modules.get("skills/a/SKILL.md"), "# not code: kept as is: string")
    })
  )
})
