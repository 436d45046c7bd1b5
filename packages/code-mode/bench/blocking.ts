// How long the gateway leaves another session waiting while one session's execute spins with no
// `await` (`for (;;) {}`), per sandbox backend: session B sends tools/list back to back while session
// A's spin runs (until the 2 s CPU limit ends it); the longest B waited, against B's median idle
// tools/list in the same run. The isolate runs code on its own thread; QuickJS (WebAssembly) runs on
// the gateway's own event loop, so nothing else is served until the run ends.
// Run: node --conditions=@tta/source bench/blocking.ts
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { startGateway } from "../test/support.ts"

const limit = "2 seconds"
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

for (const sandbox of ["isolate", "quickjs"] as const) {
  const gw = await startGateway(
    { sandbox, limits: { cpuTime: limit, wallTime: limit } },
    { servers: {}, defaults: false }
  )
  const b = new Client({ name: "B", version: "1" })
  await b.connect(new StreamableHTTPClientTransport(new URL(gw.url)))
  const timedList = async () => {
    const t = performance.now()
    await b.listTools()
    return performance.now() - t
  }
  await gw.call("execute", { code: "export default 1" }) // warm: the backend loaded, the checker ready
  const idle: Array<number> = []
  for (let i = 0; i < 20; i++) idle.push(await timedList())
  let done = false
  const started = performance.now()
  const spin = gw.call("execute", { code: "for (;;) {}" }).finally(() => {
    done = true
  })
  const waits: Array<number> = []
  while (!done) waits.push(await timedList())
  const spun = await spin
  const runMs = performance.now() - started
  await b.close()
  await gw.close()
  const longest = Math.max(...waits)
  console.log(
    `blocking (${sandbox}, ${limit} limit): B's longest tools/list while A spun ${longest.toFixed(0)} ms ` +
      `(${(longest / median(idle)).toFixed(0)}x B's idle median ${median(idle).toFixed(1)} ms; ` +
      `${waits.length} answered, median ${median(waits).toFixed(1)} ms); ` +
      `A's spin ended after ${runMs.toFixed(0)} ms (${spun.isError ? "limit error" : "no error?"})`
  )
}
