import { describe, expect, it } from "vitest"
import { TypeCheck } from "../src/index.ts"

const files = {
  "servers/_runtime.ts": `declare const host: { callTool(s: string, t: string, i: unknown): Promise<unknown> }
export const callTool = <T>(server: string, tool: string, input: unknown): Promise<T> =>
  host.callTool(server, tool, input) as Promise<T>`,
  "servers/fs/readFile.ts": `import { callTool } from "../_runtime.ts"
export interface ReadFileInput { path: string; head?: number }
export const readFile = (input: ReadFileInput): Promise<{ content: string }> => callTool("fs", "read_file", input)`,
  "servers/fs/index.ts": `export { readFile } from "./readFile.ts"`
}

describe("TypeCheck", () => {
  it("accepts code that uses the API correctly, with top-level await", () => {
    const checker = TypeCheck.make()
    checker.setFiles(files)
    const code = `import { readFile } from "./servers/fs/index.ts"
const r = await readFile({ path: "a.txt" })
console.log(r.content.length)
export default r.content.slice(0, 10)`
    expect(checker.check(code)).toEqual([])
  })

  it("reports a wrong argument with the agent's line and column", () => {
    const checker = TypeCheck.make()
    checker.setFiles(files)
    const code = `import { readFile } from "./servers/fs/index.ts"

const r = await readFile({ path: 42 })
export default r`
    const diagnostics = checker.check(code)
    expect(diagnostics).toHaveLength(1)
    expect(diagnostics[0]!.line).toBe(3)
    expect(diagnostics[0]!.message).toMatch(/number.*string/)
    expect(TypeCheck.format(diagnostics)).toMatch(/^agent\.ts:3:\d+ - error TS2322/)
  })

  it("reports an unknown module, a misspelt export and Node globals the sandbox lacks", () => {
    const checker = TypeCheck.make()
    checker.setFiles(files)
    const diagnostics = checker.check(`import { readFil } from "./servers/fs/index.ts"
import { x } from "./servers/nope/index.ts"
process.exit(1)
export default [readFil, x]`)
    expect(diagnostics.map((d) => d.line)).toEqual([1, 2, 3])
  })

  it("sees a changed tree on the next check", () => {
    const checker = TypeCheck.make()
    checker.setFiles(files)
    const code = `import { readFile } from "./servers/fs/index.ts"
export default await readFile({ path: "a", head: 1 })`
    expect(checker.check(code)).toEqual([])
    checker.setFiles({
      ...files,
      "servers/fs/readFile.ts": files["servers/fs/readFile.ts"].replace("head?: number", "head?: string")
    })
    expect(checker.check(code)).toHaveLength(1)
  })
})
