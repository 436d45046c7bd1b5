// An execute while it runs, through the real gateway on each sandbox backend (issue 16): the code's
// console output reaches the client as it is written, and a cancelled execute (notifications/cancelled,
// or tasks/cancel on a task) stops its run — the downstream call in flight is cancelled, no further
// call is made, and the request's stream ends. The code talks to a real MCP server (servers/gate.ts)
// whose tool reaches a URL this test serves, so the test decides when each call returns: nothing here
// waits on time.
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { type CallToolResult, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeLocalE2b } from "../../sandbox/test/support/LocalE2b.ts"
import type { Gateway } from "../src/index.ts"
import { startGateway } from "./support.ts"

const gateServer = { command: process.execPath, args: [join(import.meta.dirname, "servers", "gate.ts")] }

interface Held {
  /** Answers the held request. */
  readonly release: (body: string) => void
  /** Settles when the request goes away unanswered (its caller cancelled it). */
  readonly aborted: Promise<void>
}

/** What the gate's tool reaches: each path it is asked for, answered at once unless held. */
const startWorld = async () => {
  const hits: Array<string> = []
  const holds = new Map<string, (held: Held) => void>()
  const http: Server = createServer((req, res) => {
    const path = req.url ?? ""
    hits.push(path)
    const hold = holds.get(path)
    if (hold === undefined) return void res.end("ok")
    holds.delete(path)
    hold({
      release: (body) => res.end(body),
      aborted: new Promise((resolve) => res.once("close", () => !res.writableEnded && resolve()))
    })
  })
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return {
    url,
    hits,
    /** Holds the next request for `path`; settles with it when it arrives. */
    hold: (path: string) => new Promise<Held>((resolve) => holds.set(path, resolve)),
    close: () => {
      http.closeAllConnections()
      return new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }
}

const e2bWorkdir = mkdtempSync(join(tmpdir(), "tta-live-e2b-"))
const backends = [
  { name: "isolate", sandbox: "isolate" },
  { name: "quickjs", sandbox: "quickjs" },
  {
    name: "e2b (local stand-in: the real runner as a child process)",
    sandbox: {
      backend: "e2b",
      create: async () => makeLocalE2b(),
      node: process.execPath,
      workdir: e2bWorkdir
    }
  }
] as const

// The code loops on the gate's tool, going on after failures: a run that was not stopped would call again.
const loop = (url: string) => `import { visit } from "./servers/gate/index.ts"
for (let n = 1; ; n++) {
  try { await visit({ url: "${url}/tick/" + n }) } catch {}
}`

/** Posts JSON-RPC messages on the test client's session, so the test can read a request's own stream. */
const rawPost = (gw: Awaited<ReturnType<typeof startGateway>>) => {
  const transport = gw.client.transport as StreamableHTTPClientTransport
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-session-id": transport.sessionId!,
    "mcp-protocol-version": transport.protocolVersion!
  }
  return (message: object) =>
    fetch(gw.url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", ...message }) })
}

/**
 * A second client on the gateway at log level info: `logs` collects the log notifications it gets,
 * `first` settles when the first one arrives.
 */
const loggingClient = async (gw: Awaited<ReturnType<typeof startGateway>>, name: string) => {
  const client = new Client({ name, version: "1" })
  const logs: Array<unknown> = []
  let firstLine: () => void = () => undefined
  const first = new Promise<void>((resolve) => {
    firstLine = resolve
  })
  client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
    logs.push(n.params)
    firstLine()
  })
  await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
  await client.setLoggingLevel("info")
  return { client, logs, first }
}

/**
 * After a cancelled loop: a run that went on would have called /tick/4 (it goes on after failures)
 * by the time the next execute's call arrives; the gate sees that call right after /tick/3.
 */
const expectNoCallAfter = async (gw: Awaited<ReturnType<typeof startGateway>>) => {
  const after = (await gw.client.callTool({
    name: "execute",
    arguments: {
      code: `import { visit } from "./servers/gate/index.ts"
export default (await visit({ url: "${world.url}/after" })).body`
    }
  })) as CallToolResult
  expect((after.structuredContent as Gateway.ExecuteOutput).value).toBe("ok")
  expect(world.hits).toEqual(["/tick/1", "/tick/2", "/tick/3", "/after"])
}

let world: Awaited<ReturnType<typeof startWorld>>
beforeAll(async () => {
  world = await startWorld()
})
afterAll(async () => {
  await world?.close()
  rmSync(e2bWorkdir, { recursive: true, force: true })
})

for (const backend of backends) {
  describe(`execute while it runs (${backend.name})`, () => {
    let gw: Awaited<ReturnType<typeof startGateway>>
    beforeAll(async () => {
      gw = await startGateway(
        { sandbox: backend.sandbox as never, direct: ["gate/visit"] },
        { servers: { gate: gateServer }, defaults: false }
      )
    }, 60_000)
    afterAll(async () => {
      await gw?.close()
    })

    it("streams the code's console output to the client while the code runs", async () => {
      const { client, logs, first } = await loggingClient(gw, "live-logs")
      const gate = world.hold("/release")
      const result = client.callTool({
        name: "execute",
        arguments: {
          code: `import { visit } from "./servers/gate/index.ts"
console.log("waiting at the gate")
console.debug("below the client's level")
const { body } = await visit({ url: "${world.url}/release" })
console.warn("through: " + body)
export default body`
        }
      }) as Promise<CallToolResult>
      const held = await gate
      // The code waits on the gate until its first line has reached the client.
      await Promise.race([
        first,
        result.then(() => {
          throw new Error("execute ended before its first log line reached the client")
        })
      ])
      expect(logs).toEqual([{ level: "info", logger: "code", data: "waiting at the gate" }])
      held.release("open")
      const done = await result
      expect((done.structuredContent as Gateway.ExecuteOutput).value).toBe("open")
      // Sent once, as written (not again with the answer); the answer still carries every line.
      expect(logs).toEqual([
        { level: "info", logger: "code", data: "waiting at the gate" },
        { level: "warning", logger: "code", data: "through: open" }
      ])
      expect((done.structuredContent as Gateway.ExecuteOutput).logs).toHaveLength(3)
      await client.close()
    })

    it("stops a cancelled execute: its call in flight is cancelled, no call follows, its stream ends", async () => {
      world.hits.length = 0
      const third = world.hold("/tick/3")
      const post = rawPost(gw)
      const response = await post({
        id: "looping",
        method: "tools/call",
        params: { name: "execute", arguments: { code: loop(world.url) } }
      })
      const held = await third
      await post({ method: "notifications/cancelled", params: { requestId: "looping", reason: "enough" } })
      // The hub cancelled the gate's call, and the gate dropped its request.
      await held.aborted
      // The request's stream ends without an answer.
      const streamed = await response.text()
      expect(streamed).not.toContain('"result"')
      await expectNoCallAfter(gw)
    })

    it("stops a task-run execute on tasks/cancel the same way", async () => {
      world.hits.length = 0
      const third = world.hold("/tick/3")
      const tasks = gw.client.experimental.tasks
      const stream = tasks.callToolStream(
        { name: "execute", arguments: { code: loop(world.url) } },
        undefined,
        { task: {} }
      )
      const created = (await stream.next()).value
      if (created?.type !== "taskCreated") throw new Error(`expected taskCreated, got ${created?.type}`)
      const held = await third
      await tasks.cancelTask(created.task.taskId)
      await held.aborted
      await stream.return(undefined)
      expect((await tasks.getTask(created.task.taskId)).status).toBe("cancelled")
      await expectNoCallAfter(gw)
    })

    it.runIf(backend.name === "isolate")(
      "streams a task-run execute's console output while it runs",
      async () => {
        const { client, logs, first } = await loggingClient(gw, "task-logs")
        const gate = world.hold("/task-gate")
        const stream = client.experimental.tasks.callToolStream(
          {
            name: "execute",
            arguments: {
              code: `import { visit } from "./servers/gate/index.ts"
console.log("task waiting")
export default (await visit({ url: "${world.url}/task-gate" })).body`
            }
          },
          undefined,
          { task: {} }
        )
        expect((await stream.next()).value?.type).toBe("taskCreated")
        const held = await gate
        // The task's request was answered at once: its lines come on the session's own stream.
        await first
        expect(logs).toEqual([{ level: "info", logger: "code", data: "task waiting" }])
        held.release("done")
        let value: unknown
        for await (const message of stream) {
          if (message.type === "result")
            value = ((message.result as CallToolResult).structuredContent as Gateway.ExecuteOutput).value
        }
        expect(value).toBe("done")
        await client.close()
      }
    )

    it.runIf(backend.name === "isolate")(
      "cancels a direct tool's call downstream and ends its stream",
      async () => {
        const gate = world.hold("/direct")
        const post = rawPost(gw)
        const response = await post({
          id: "direct",
          method: "tools/call",
          params: { name: "visit", arguments: { url: `${world.url}/direct` } }
        })
        const held = await gate
        await post({ method: "notifications/cancelled", params: { requestId: "direct" } })
        await held.aborted
        expect(await response.text()).not.toContain('"result"')
      }
    )
  })
}
