// Over HTTP each client is its own session: its own workspace/ and its own PII tokens, so one
// client can neither read another's files nor turn another's tokens back into personal data.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CodeMode } from "../src/index.ts"
import { startGateway } from "./support.ts"

let gw: Awaited<ReturnType<typeof startGateway>>
beforeAll(async () => {
  gw = await startGateway({ pii: true }, { perSession: true })
  writeFileSync(join(gw.files, "contact.txt"), "owner: dana@private.example")
}, 60_000)
afterAll(async () => {
  await gw?.close()
})

const connect = async () => {
  const client = new Client({ name: "session-test", version: "1.0.0" })
  const transport = new StreamableHTTPClientTransport(new URL(gw.url))
  await client.connect(transport)
  const run = async (code: string) => {
    const r = (await client.callTool({ name: "execute", arguments: { code } })) as CallToolResult
    return (r.structuredContent as unknown as CodeMode.ExecuteOutcome | undefined)?.value
  }
  return { client, run, sessionId: () => transport.sessionId ?? "" }
}

const sessionsDir = () => join(gw.dir, "tta", "sessions")
const sessionCount = () => (existsSync(sessionsDir()) ? readdirSync(sessionsDir()).length : 0)

describe("one session per HTTP client", () => {
  it("leaves nothing behind for a request that starts no session (a foreign Host header)", async () => {
    const before = sessionCount()
    const url = new URL(gw.url)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            host: "evil.example",
            "content-type": "application/json",
            accept: "application/json, text/event-stream"
          }
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on("error", reject)
      req.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } }
        })
      )
    })
    expect(status).toBe(403)
    expect(sessionCount()).toBe(before)
  })

  it("keeps workspaces and PII tokens apart", async () => {
    const a = await connect()
    const b = await connect()
    await a.run(`import { writeFile } from "./workspace.ts"
await writeFile("notes/a.md", "from A")
export default 1`)
    expect(
      await a.run(`import { listFiles } from "./workspace.ts"\nexport default await listFiles()`)
    ).toEqual(["notes/a.md"])
    expect(
      await b.run(`import { listFiles } from "./workspace.ts"\nexport default await listFiles()`)
    ).toEqual([])

    const token = await a.run(`import { readTextFile } from "./servers/filesystem/index.ts"
const r = await readTextFile({ path: ${JSON.stringify(join(gw.files, "contact.txt"))} })
export default r.content.replace("owner: ", "")`)
    expect(token).toBe("[EMAIL_1]")
    // B never saw that value: its copy of the token means nothing and is written as is.
    await b.run(`import { writeFile } from "./servers/filesystem/index.ts"
await writeFile({ path: ${JSON.stringify(join(gw.files, "b.txt"))}, content: "to [EMAIL_1]" })
export default 1`)
    expect(readFileSync(join(gw.files, "b.txt"), "utf8")).toBe("to [EMAIL_1]")
    // A's token still resolves for A.
    await a.run(`import { writeFile } from "./servers/filesystem/index.ts"
await writeFile({ path: ${JSON.stringify(join(gw.files, "a.txt"))}, content: "to [EMAIL_1]" })
export default 1`)
    expect(readFileSync(join(gw.files, "a.txt"), "utf8")).toBe("to dana@private.example")
    await a.client.close()
    await b.client.close()
  })

  it("never shows agent code or the model the host's paths or the session id", async () => {
    const a = await connect()
    const id = a.sessionId()
    expect(id).not.toBe("")
    const errors = (await a.run(`import { readFile, writeFile } from "./workspace.ts"
const attempt = async (f: () => Promise<unknown>) => { try { await f(); return "no error" } catch (e) { return (e as Error).message } }
await writeFile("plain.txt", "x")
export default [
  await attempt(() => readFile("x\u0000y")),
  await attempt(() => writeFile("plain.txt/inner.txt", "y")),
  await attempt(() => readFile("plain.txt/inner.txt")),
]`)) as Array<string>
    expect(errors).toHaveLength(3)
    for (const message of errors) {
      expect(message).not.toBe("no error")
      expect(message).toContain("workspace/")
      expect(message).not.toContain(gw.dir)
      expect(message).not.toContain(id)
    }
    expect(errors[0]).toContain("control character")
    // What the model reads of a failed execution is scrubbed as well.
    const failed = (await a.client.callTool({
      name: "execute",
      arguments: {
        code: `import { writeFile } from "./workspace.ts"
await writeFile("plain.txt/deeper.txt", "z")`
      }
    })) as CallToolResult
    const text = (failed.content as Array<{ text: string }>).map((c) => c.text).join("\n")
    expect(failed.isError).toBe(true)
    expect(text).toContain("workspace/")
    expect(text).not.toContain(gw.dir)
    expect(text).not.toContain(id)
    await a.client.close()
  })
})
