// HTTP sessions do not live forever: an idle one is closed after the idle timeout (TestClock moves
// time), closing frees what it held (1,000 sessions opened and evicted leave RSS where it was), and
// beyond the session cap a new client gets a clear 503 naming the cap.
import { Agent, type IncomingHttpHeaders, request } from "node:http"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Gateway, Stack } from "../src/index.ts"
import { layerFor, tempSession } from "./support.ts"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/** One POST to the gateway over node:http (so the test's own client adds no WASM parser memory). */
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers
        }
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString()
          })
        )
      }
    )
    req.on("error", reject)
    req.end(JSON.stringify(body))
  })

const initializeRequest = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "load", version: "1" } }
}

/** Starts one MCP session with a bare initialize request; resolves to its session id. */
const initialize = async (url: string): Promise<string> => {
  const res = await post(url, initializeRequest)
  if (res.status !== 200) throw new Error(`initialize: HTTP ${res.status}`)
  return String(res.headers["mcp-session-id"] ?? "")
}

const openMany = (url: string, n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.promise(() => initialize(url)), { concurrency: 16 })

/** Lets closes already set off finish (they close transports and scopes asynchronously). */
const until = (done: () => boolean) =>
  Effect.gen(function* () {
    while (!done()) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
  })

const memory = () => {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage()
}
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`

const session = tempSession()
const gatewayWith = (options: Omit<Gateway.HttpOptions, "perSession">) =>
  Effect.gen(function* () {
    const perSession = yield* Stack.perSession({ dir: `${session.dir}/tta` })
    return yield* Gateway.serveHttp({ port: 0, perSession, ...options })
  })

describe("HTTP session eviction and cap", () => {
  it.effect(
    "closes idle sessions and frees them: 1,000 opened and evicted leave RSS within 10%",
    () =>
      Effect.gen(function* () {
        const gateway = yield* gatewayWith({ idleTimeout: "15 minutes", maxSessions: 1_000 })
        // One full cycle first: every lazy part loaded and the heap grown to its working size, so the
        // baseline is the steady state and what the next cycle leaves behind is what it leaked.
        yield* openMany(gateway.url, 1_000)
        yield* TestClock.adjust("16 minutes")
        yield* until(() => gateway.sessions() === 0)
        const before = memory()

        const ids = yield* openMany(gateway.url, 1_000)
        expect(new Set(ids).size).toBe(1_000)
        expect(gateway.sessions()).toBe(1_000)
        const peak = process.memoryUsage().rss
        // Not idle yet: nothing is closed before the timeout.
        yield* TestClock.adjust("14 minutes")
        expect(gateway.sessions()).toBe(1_000)
        yield* TestClock.adjust("2 minutes")
        yield* until(() => gateway.sessions() === 0)
        const after = memory()
        console.log(
          `RSS ${mb(before.rss)} before, ${mb(peak)} with 1,000 sessions, ${mb(after.rss)} after eviction; ` +
            `heap used ${mb(before.heapUsed)} before, ${mb(after.heapUsed)} after`
        )
        expect(after.rss).toBeLessThan(before.rss * 1.1)
        // And the heap itself: under 3 KB left per session (a leaked session held 6.4 KB).
        expect(after.heapUsed - before.heapUsed).toBeLessThan(3 * 2 ** 20)

        // An evicted session is gone for its client: a clear 404 "Session not found".
        const res = yield* Effect.promise(() =>
          post(gateway.url, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": ids[0]! })
        )
        expect(res.status).toBe(404)
        expect(res.body).toContain("Session not found")
      }).pipe(Effect.provide(layerFor(session))),
    120_000
  )

  it.effect("refuses a client beyond the cap with a 503 naming it, and admits one after a close", () =>
    Effect.gen(function* () {
      const gateway = yield* gatewayWith({ maxSessions: 2 })
      const connect = () =>
        Effect.promise(async () => {
          const client = new Client({ name: "cap", version: "1" })
          const transport = new StreamableHTTPClientTransport(new URL(gateway.url))
          await client.connect(transport)
          return { client, transport }
        })
      const a = yield* connect()
      yield* connect()
      const refused = yield* Effect.promise(() => post(gateway.url, initializeRequest))
      expect(refused.status).toBe(503)
      const body = JSON.parse(refused.body) as { error: { code: number; message: string } }
      expect(body.error.message).toContain("cap of 2 open sessions")
      // The client that ends its session frees its place.
      yield* Effect.promise(() => a.transport.terminateSession())
      yield* until(() => gateway.sessions() === 1)
      const c = yield* connect()
      expect(gateway.sessions()).toBe(2)
      yield* Effect.promise(() => c.client.close())
    }).pipe(Effect.provide(Layer.fresh(layerFor(session))))
  )
})
