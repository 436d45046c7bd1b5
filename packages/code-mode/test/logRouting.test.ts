// A downstream server's log messages through the gateway with two HTTP clients (issue 16): a line a
// server writes while serving one client's call reaches that client alone (through execute and as a
// direct tool, reading a resource), and a line of no call (the server's own) reaches every client that set a level
// admitting it; a client asking for a higher level does not silence the others.
// The server (servers/chatty.ts) logs around a URL this test serves, so the test decides when each
// line is written: nothing here waits on time.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { type CallToolResult, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startGateway } from "./support.ts"

const chatty = { command: process.execPath, args: [join(import.meta.dirname, "servers", "chatty.ts")] }

/** What chatty fetches: each path answered at once unless held; a held one waits for `release`. */
const startWorld = async () => {
  const holds = new Map<string, (release: () => void) => void>()
  const http: Server = createServer((req, res) => {
    const hold = holds.get(req.url ?? "")
    if (hold === undefined) return void res.end("ok")
    holds.delete(req.url ?? "")
    hold(() => res.end("ok"))
  })
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    /** Holds the next request for `path`; settles with its release once it arrives. */
    hold: (path: string) => new Promise<() => void>((resolve) => holds.set(path, resolve)),
    close: () => {
      http.closeAllConnections()
      return new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }
}

/** A client of the gateway that keeps the log lines it receives and can wait for one. */
const logClient = async (url: string, name: string, level: "debug" | "info" | "error") => {
  // The client opens its own stream (a GET) after initialize: lines of no call go on it, so the test
  // waits until the gateway has it (its response headers come once the stream is registered).
  let streamOpen: () => void = () => {}
  const opened = new Promise<void>((resolve) => {
    streamOpen = resolve
  })
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: async (input, init) => {
      const response = await fetch(input, init)
      if (init?.method === "GET" && response.ok) streamOpen()
      return response
    }
  })
  const client = new Client({ name, version: "1" })
  const lines: Array<string> = []
  const waiting = new Map<string, () => void>()
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    if (n.params.logger !== "chatty/talk") return
    const data = String(n.params.data)
    lines.push(data)
    waiting.get(data)?.()
  })
  await client.connect(transport)
  await client.setLoggingLevel(level)
  await opened
  return {
    client,
    lines,
    /** Settles when the line `data` has arrived. */
    received: (data: string) =>
      lines.includes(data) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(data, resolve))
  }
}

let world: Awaited<ReturnType<typeof startWorld>>
let gw: Awaited<ReturnType<typeof startGateway>>
beforeAll(async () => {
  world = await startWorld()
  gw = await startGateway({ direct: ["chatty/*"] }, { defaults: false, servers: { chatty } })
})
afterAll(async () => {
  await gw?.close()
  await world?.close()
})

/** Calls `say` (as `via` says) and holds its fetch until `client` has received the line it logged. */
const sayHeard = async (
  client: Awaited<ReturnType<typeof logClient>>,
  text: string,
  via: "execute" | "direct"
) => {
  const held = world.hold(`/${text}`)
  const url = `${world.url}/${text}`
  const call =
    via === "direct"
      ? client.client.callTool({ name: "say", arguments: { text, url } })
      : client.client.callTool({
          name: "execute",
          arguments: {
            code: `import { say } from "./servers/chatty/index.ts"
await say({ text: ${JSON.stringify(text)}, url: ${JSON.stringify(url)} })`
          }
        })
  const release = await held
  await client.received(text)
  release()
  expect(((await call) as CallToolResult).isError).toBeFalsy()
}

describe("downstream log messages with two clients", () => {
  it("a call's lines reach the calling client only; the server's own reach every client", async () => {
    const a = await logClient(gw.url, "A", "debug")
    const b = await logClient(gw.url, "B", "info")
    // A client asking for less, last: the server stays at the most verbose level asked for, so A and B
    // still get chatty's info lines (were it set to "error", they would wait for them forever).
    const c = await logClient(gw.url, "C", "error")
    try {
      await sayHeard(a, "for-A", "execute")
      await sayHeard(b, "for-B", "direct")
      await sayHeard(a, "for-A-direct", "direct")
      // A passthrough request is a call too: the line chatty logs while A reads its resource.
      await a.client.readResource({ uri: "chatty://note" })
      await a.received("read-note")
      // A line of no call: chatty answers `later` at once and logs once its fetch is answered.
      const held = world.hold("/for-all")
      await a.client.callTool({ name: "later", arguments: { text: "for-all", url: `${world.url}/for-all` } })
      ;(await held)()
      await Promise.all([a.received("for-all"), b.received("for-all")])
      // A line sent to the wrong client would have gone on its own stream before "for-all" did.
      expect(a.lines).toEqual(["for-A", "for-A-direct", "read-note", "for-all"])
      expect(b.lines).toEqual(["for-B", "for-all"])
      expect(c.lines).toEqual([])
    } finally {
      await a.client.close()
      await b.client.close()
      await c.client.close()
    }
  })
})
