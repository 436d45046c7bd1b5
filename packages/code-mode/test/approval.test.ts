// Calls a policy marks "approve" are put to the person at the MCP client through elicitation; a
// client that cannot be asked gets them denied.
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { type CallToolResult, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CodeMode } from "../src/index.ts"
import { startGateway } from "./support.ts"

let gw: Awaited<ReturnType<typeof startGateway>>
beforeAll(async () => {
  gw = await startGateway({ policy: { approve: ["memory/create_*", "memory/add_*"] } })
}, 60_000)
afterAll(async () => {
  await gw?.close()
})

const code = `import { addObservations, createEntities, readGraph } from "./servers/memory/index.ts"
const attempt = async (f: () => Promise<unknown>) => { try { await f(); return "done" } catch (e) { return (e as Error).message } }
const created = await attempt(() => createEntities({ entities: [{ name: "db", entityType: "service", observations: [] }] }))
const added = await attempt(() => addObservations({ observations: [{ entityName: "db", contents: ["slow"] }] }))
const graph = await readGraph()
export default { created, added, entities: graph.entities.map((e) => e.name) }`

describe("approve via elicitation", () => {
  it("asks the client, and only runs the calls it approves", async () => {
    const asked: Array<string> = []
    const client = new Client({ name: "approver", version: "1.0.0" }, { capabilities: { elicitation: {} } })
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const message = (request.params as { message: string }).message
      asked.push(message)
      return message.includes("create_entities")
        ? { action: "accept", content: { approve: true } }
        : { action: "decline" }
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
    const result = (await client.callTool({ name: "execute", arguments: { code } })) as CallToolResult
    await client.close()
    const value = (result.structuredContent as unknown as CodeMode.ExecuteOutcome).value as Record<
      string,
      unknown
    >
    expect(asked).toEqual([
      "Allow the code to call memory/create_entities?",
      "Allow the code to call memory/add_observations?"
    ])
    expect(value.created).toBe("done")
    expect(value.added).toContain("needs approval and none was given")
    expect(value.entities).toEqual(["db"])
  })

  it("denies them for a client that cannot be asked", async () => {
    const result = await gw.call("execute", { code: code.replaceAll('"db"', '"cache"') })
    const value = (result.structuredContent as unknown as CodeMode.ExecuteOutcome).value as Record<
      string,
      unknown
    >
    expect(value.created).toContain("memory/create_entities was denied by policy (approve: memory/create_*)")
    expect(value.entities).toEqual(["db"])
  })
})
