// What a cancel frees: an execute spinning in the isolate (`for (;;) {}` after one console line),
// cancelled with notifications/cancelled once its line has arrived. CPU of this process (the
// gateway and its isolate threads) over the same wall window while it spins and after the cancel,
// and how long the request's stream took to end. Run: node --conditions=@tta/source bench/cancel.ts
import { Effect } from "effect"
import { startGateway } from "../test/support.ts"

const windowMs = Number(process.env.WINDOW_MS ?? 1000)
const gw = await startGateway(
  { limits: { cpuTime: "5 minutes", wallTime: "5 minutes" } },
  { servers: {}, defaults: false }
)
const transport = gw.client.transport as unknown as { sessionId: string; protocolVersion: string }
const post = (message: object) =>
  fetch(gw.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": transport.sessionId,
      "mcp-protocol-version": transport.protocolVersion
    },
    body: JSON.stringify({ jsonrpc: "2.0", ...message })
  })
await gw.client.setLoggingLevel("info")

/** CPU of this process, in % of one core, over the next `windowMs` of wall time. */
const cpuOver = async () => {
  const start = process.cpuUsage()
  const t = performance.now()
  await Effect.runPromise(Effect.sleep(windowMs))
  const used = process.cpuUsage(start)
  return ((used.user + used.system) / 1000 / (performance.now() - t)) * 100
}

const idle = await cpuOver()
const response = await post({
  id: "spin",
  method: "tools/call",
  params: { name: "execute", arguments: { code: `console.log("spinning")\nfor (;;) {}` } }
})
const reader = response.body!.getReader()
const decoder = new TextDecoder()
let seen = ""
while (!seen.includes("spinning")) {
  const { value, done } = await reader.read()
  if (done) throw new Error(`the stream ended before the code's line: ${seen}`)
  seen += decoder.decode(value)
}
const spinning = await cpuOver()
const cancelAt = performance.now()
await post({ method: "notifications/cancelled", params: { requestId: "spin" } })
while (!(await reader.read()).done) {}
const streamEndedMs = performance.now() - cancelAt
const after = await cpuOver()
const next = await gw.call("execute", { code: "export default 7" })
await gw.close()
console.log(
  `cancel (isolate, ${windowMs} ms windows): CPU idle ${idle.toFixed(0)}%, spinning ${spinning.toFixed(0)}%, ` +
    `after the cancel ${after.toFixed(0)}% of a core (${(after / spinning).toFixed(2)}x spinning); ` +
    `stream ended ${streamEndedMs.toFixed(0)} ms after the cancel; next execute ${next.isError ? "FAILED" : "ok"}`
)
