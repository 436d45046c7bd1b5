import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Code, SkillInvalid } from "../src/index.ts"

const refused = (code: string): SkillInvalid => {
  const r = Code.check(code)
  assert.instanceOf(r, SkillInvalid)
  return r as SkillInvalid
}

describe("Code.check", () => {
  it("points at the line and column of a syntax error", () => {
    const e = refused("export function f(a: number) {\n  return a\n}\nconst y = ;\n")
    assert.strictEqual(e.field, "code")
    assert.strictEqual(e.line, 4)
    assert.strictEqual(e.column, 11)
    assert.strictEqual(
      e.message,
      "code does not parse: Expression expected at line 4, column 11\n  const y = ;\n            ^"
    )
  })

  it("reports an unterminated block at its line", () => {
    const e = refused("export function f() {\n  if (true) {\n    return 1\n")
    assert.strictEqual(e.line, 3)
    assert.include(e.message, "Expected '}'")
  })

  it("refuses TypeScript that cannot be erased and await outside async", () => {
    assert.include(refused("enum A { B }\nexport function f() {}\n").message, "enum")
    assert.strictEqual(refused("export function f() {\n  await g()\n}\n").line, 2)
  })

  it("refuses code that exports no function", () => {
    assert.include(refused("const x = 1\n// export function f() {}\n").message, "exports no function")
  })

  it("extracts the exported signatures with their types", () => {
    const r = Code.check(`import { z } from "./z.ts"
export async function search(query: string, opts: { limit?: number } = {}): Promise<Array<{ id: string }>> {
  return []
}
export const total = (xs: ReadonlyArray<number>, f: (x: number) => number = (x) => x): number =>
  xs.reduce((a, x) => a + f(x), 0)
export default async function (input: { q: string }) {
  return input.q
}
export { z as zed }
`)
    assert.notInstanceOf(r, SkillInvalid)
    assert.deepStrictEqual((r as Code.CheckedCode).signatures, [
      "export async function search(query: string, opts: { limit?: number } = {}): Promise<Array<{ id: string }>>",
      "export const total = (xs: ReadonlyArray<number>, f: (x: number) => number = (x) => x): number =>",
      "export default async function (input: { q: string })",
      "export { z as zed }"
    ])
  })

  it("with --experimental-vm-modules, V8 also refuses module early errors", () => {
    const script = join(import.meta.dirname, "fixtures", "check.ts")
    const code = "export function f() {}\nlet x = 1\nlet x = 2\n"
    const run = (flags: Array<string>) =>
      JSON.parse(
        spawnSync(process.execPath, ["--no-warnings", ...flags, script, code], { encoding: "utf8" }).stdout
      ) as { _tag?: string; message?: string; signatures?: Array<string> }
    assert.deepStrictEqual(run([]).signatures, ["export function f()"], "SWC alone accepts it")
    const strict = run(["--experimental-vm-modules"])
    assert.strictEqual(strict._tag, "SkillInvalid")
    assert.include(strict.message, "Identifier 'x' has already been declared")
  })
})

describe("Code.importedSkills", () => {
  it("names the skills code imports, resolved from where the code is mounted", () => {
    const agent = `import { a } from "./skills/alpha/index.ts"
import "./skills/beta/index"
export { c } from './skills/gamma-two/index.ts'
const d = await import("./skills/delta/index.ts")
import { t } from "./servers/github/index.ts"
import fs from "node:fs"`
    assert.deepStrictEqual(Code.importedSkills(agent), ["alpha", "beta", "gamma-two", "delta"])
    const skill = `import { x } from "../other/index.ts"\nimport { y } from "../../skills/third/index.ts"\nimport { z } from "../../servers/s/index.ts"`
    assert.deepStrictEqual(Code.importedSkills(skill, "skills/mine/index.ts"), ["other", "third"])
    assert.deepStrictEqual(Code.importedSkills(`import "../escape/index.ts"`), [])
  })
})
