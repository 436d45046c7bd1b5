// End to end through the gateway's Streamable HTTP endpoint with the MCP SDK client, against real
// servers (server-everything, server-filesystem, server-memory) and the real isolate sandbox.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CodeMode } from "../src/index.ts"
import { startGateway } from "./support.ts"

let gw: Awaited<ReturnType<typeof startGateway>>

beforeAll(async () => {
  gw = await startGateway({
    pii: true,
    policy: { deny: ["memory/delete_*"] }
  })
  for (let i = 0; i < 300; i++)
    writeFileSync(join(gw.files, `report-${String(i).padStart(3, "0")}.txt`), `r${i}`)
  writeFileSync(
    join(gw.files, "customers.json"),
    JSON.stringify([
      {
        id: 1,
        name: "Ada Lovelace",
        email: "ada@analytical.example",
        phone: "+44 20 7946 0958",
        plan: "pro"
      },
      { id: 2, name: "Grace Hopper", email: "grace@cobol.example", phone: "+1 415 555 0199", plan: "free" }
    ])
  )
}, 60_000)

afterAll(async () => {
  await gw?.close()
})

const execute = (code: string) => gw.call("execute", { code })

describe("gateway (HTTP, real servers)", () => {
  it("offers the five code-mode tools", async () => {
    const { tools } = await gw.client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([
      "execute",
      "list_skills",
      "read_api",
      "save_skill",
      "search_tools"
    ])
  })

  it("discovers tools with search_tools and read_api", async () => {
    const hits = JSON.parse(
      (await gw.call("search_tools", { query: "list directory contents" })).text
    ) as Array<CodeMode.SearchHit>
    expect(hits.some((h) => h.server === "filesystem" && h.tool === "list_directory")).toBe(true)
    const full = await gw.call("search_tools", {
      query: "create entities knowledge graph",
      detail: "full",
      limit: 1
    })
    expect(full.text).toContain("export async function createEntities")
    const index = await gw.call("read_api", { path: "servers/index.ts" })
    for (const server of ["everything", "filesystem", "memory"]) expect(index.text).toContain(server)
    const missing = await gw.call("read_api", { path: "servers/filesystem/nope.ts" })
    expect(missing.isError).toBe(true)
    expect(missing.text).toContain("servers/index.ts")
  })

  it("runs code that calls two servers in parallel and filters a large result inside the sandbox", async () => {
    const seeded = await execute(`import { createEntities } from "./servers/memory/index.ts"
await createEntities({ entities: [
  { name: "checkout", entityType: "service", observations: ["error spike"] },
  { name: "payments", entityType: "service", observations: ["healthy"] }
] })
export default "ok"`)
    expect(seeded.isError).toBeFalsy()

    const result = await execute(`import { listDirectory } from "./servers/filesystem/index.ts"
import { readGraph } from "./servers/memory/index.ts"
const [listing, graph] = await Promise.all([listDirectory({ path: ${JSON.stringify(gw.files)} }), readGraph()])
const text = typeof listing === "string" ? listing : (listing as { content: string }).content
const sevens = text.split("\\n").filter((line) => /report-\\d\\d7\\.txt$/.test(line))
export default { sevens: sevens.length, services: graph.entities.map((e) => e.name).filter((n) => n === "checkout" || n === "payments").sort() }`)
    expect(result.isError).toBeFalsy()
    const structured = result.structuredContent as unknown as CodeMode.ExecuteOutcome
    expect(structured.value).toEqual({ sevens: 30, services: ["checkout", "payments"] })
    expect(structured.toolCalls.map((c) => `${c.server}.${c.tool}`).sort()).toEqual([
      "filesystem.list_directory",
      "memory.read_graph"
    ])
    expect(result.text).toContain("2 tool calls")
  })

  it("refuses a call the policy denies, inside the code, and records it", async () => {
    // Seeds its own entity: no test here depends on another having run first.
    const result =
      await execute(`import { createEntities, deleteEntities, readGraph } from "./servers/memory/index.ts"
await createEntities({ entities: [{ name: "audit-log", entityType: "store", observations: [] }] })
let message = ""
try { await deleteEntities({ entityNames: ["audit-log"] }) } catch (e) { message = (e as Error).message }
const graph = await readGraph()
export default { message, still: graph.entities.some((e) => e.name === "audit-log") }`)
    const structured = result.structuredContent as unknown as CodeMode.ExecuteOutcome
    const value = structured.value as { message: string; still: boolean }
    expect(value.message).toContain("memory/delete_entities was denied by policy")
    expect(value.still).toBe(true)
    expect(structured.toolCalls.find((c) => c.tool === "delete_entities")?.outcome).toBe("denied")
    expect(result.text).toContain("1 denied")
  })

  it("tokenizes PII in results and untokenizes it in later calls' arguments", async () => {
    const result = await execute(`import { readTextFile, writeFile } from "./servers/filesystem/index.ts"
const file = await readTextFile({ path: ${JSON.stringify(join(gw.files, "customers.json"))} })
const customers = JSON.parse(file.content) as Array<{ name: string; email: string; phone: string; plan: string }>
const pro = customers.find((c) => c.plan === "pro")!
await writeFile({ path: ${JSON.stringify(join(gw.files, "notify.txt"))}, content: "to: " + pro.email + " / " + pro.phone })
export default { name: pro.name, email: pro.email, phone: pro.phone }`)
    expect(result.isError).toBeFalsy()
    const value = (result.structuredContent as unknown as CodeMode.ExecuteOutcome).value as Record<
      string,
      string
    >
    expect(value.name).toBe("Ada Lovelace")
    expect(value.email).toMatch(/^\[EMAIL_\d+\]$/)
    expect(value.phone).toMatch(/^\[PHONE_\d+\]$/)
    expect(result.text).not.toContain("@analytical.example")
    // The server got the real values back.
    expect(readFileSync(join(gw.files, "notify.txt"), "utf8")).toBe(
      "to: ada@analytical.example / +44 20 7946 0958"
    )
  })

  it("tokenizes PII in a server's error messages too", async () => {
    const missing = join(gw.files, "grace@cobol.example.txt")
    const result = await execute(`import { readTextFile } from "./servers/filesystem/index.ts"
let message = ""
try { await readTextFile({ path: ${JSON.stringify(missing)} }) } catch (e) { message = (e as Error).message }
export default message`)
    const value = (result.structuredContent as unknown as CodeMode.ExecuteOutcome).value as string
    expect(value).toMatch(/\[EMAIL_\d+\]/)
    expect(value).not.toContain("grace@cobol.example")
  })

  it("catches a type error before any tool is called", async () => {
    const before = (await gw.runtime.runPromise(CodeMode.CodeMode.use((c) => c.toolCalls()))).length
    const result = await execute(`import { writeFile } from "./servers/filesystem/index.ts"
await writeFile({ path: "x.txt", content: 42 })
export default 1`)
    expect(result.isError).toBe(true)
    expect(result.text).toMatch(/agent\.ts:2:\d+ - error TS2322/)
    const after = (await gw.runtime.runPromise(CodeMode.CodeMode.use((c) => c.toolCalls()))).length
    expect(after).toBe(before)
  })

  it("returns the agent's runtime error with its line", async () => {
    const result = await execute(`const n: number = 2\n\nthrow new Error("bad input " + n)`)
    expect(result.isError).toBe(true)
    expect(result.text).toContain("bad input 2")
    expect(result.text).toMatch(/agent\.ts:3/)
  })

  it("saves a skill that the next execution imports, and records its runs", async () => {
    const saved = await gw.call("save_skill", {
      name: "count-reports",
      description: "Count report files in a directory",
      tags: ["filesystem"],
      code: `import { listDirectory } from "../../servers/filesystem/index.ts"
export async function countReports(path: string): Promise<number> {
  const listing = await listDirectory({ path })
  const text = typeof listing === "string" ? listing : (listing as { content: string }).content
  return text.split("\\n").filter((l) => l.includes("report-")).length
}`
    })
    expect(saved.isError).toBeFalsy()
    expect(saved.text).toContain("count-reports v1")
    const result = await execute(`import { countReports } from "./skills/count-reports/index.ts"
export default await countReports(${JSON.stringify(gw.files)})`)
    expect((result.structuredContent as unknown as CodeMode.ExecuteOutcome).value).toBe(300)
    const skills = JSON.parse((await gw.call("list_skills", {})).text) as Array<CodeMode.SkillSummary>
    expect(skills).toEqual([
      expect.objectContaining({ name: "count-reports", version: 1, runs: 1, failures: 0 })
    ])
  })

  it("refuses to save a skill that does not type-check, listing its diagnostics", async () => {
    const wrong = await gw.call("save_skill", {
      name: "wrong-type",
      description: "Returns a string where it promises a number",
      code: `export function f(): number { return "s" }`
    })
    expect(wrong.isError).toBe(true)
    expect(wrong.text).toContain('Skill "wrong-type" was not saved')
    expect(wrong.text).toMatch(/skills\/wrong-type\/index\.ts:1:\d+ - error TS2322/)
    // Checked against the API as mounted: a wrong argument to a server's tool is caught too.
    const badCall = await gw.call("save_skill", {
      name: "bad-call",
      description: "Writes a number as file content",
      code: `import { writeFile } from "../../servers/filesystem/index.ts"
export async function save(): Promise<void> { await writeFile({ path: "x.txt", content: 42 }) }`
    })
    expect(badCall.isError).toBe(true)
    expect(badCall.text).toMatch(/skills\/bad-call\/index\.ts:2:\d+ - error TS2322/)
    const names = (JSON.parse((await gw.call("list_skills", {})).text) as Array<CodeMode.SkillSummary>).map(
      (s) => s.name
    )
    expect(names).not.toContain("wrong-type")
    expect(names).not.toContain("bad-call")
  })

  it("keeps what reached the model far below what direct tool calls would have cost", async () => {
    await execute(`import { listDirectory } from "./servers/filesystem/index.ts"
const listing = await listDirectory({ path: ${JSON.stringify(gw.files)} })
export default String(listing).length > 0`)
    const figures = await gw.runtime.runPromise(CodeMode.CodeMode.use((c) => c.tokenAccount()))
    expect(figures.encoding).toBe("o200k_base")
    expect(figures.codeMode.total).toBeLessThan(figures.direct.total)
    expect(figures.direct.results).toBeGreaterThan(0)
  })

  it("answers bad arguments and unknown tools with readable errors and keeps serving", async () => {
    const bad = await gw.call("execute", { source: "1" })
    expect(bad.isError).toBe(true)
    expect(bad.text).toContain("Invalid arguments for execute")
    const unknown = await gw.call("run_everything", {})
    expect(unknown.isError).toBe(true)
    expect(unknown.text).toContain("This gateway offers")
    expect((await execute("export default 40 + 2")).structuredContent).toMatchObject({ value: 42 })
  })
})
