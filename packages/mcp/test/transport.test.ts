// The stdio transport on real child processes: framing across and within chunks, CRLF, the
// message size limit, and how the process ended.
import { describe, expect, it } from "@effect/vitest"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { MessageTooLarge, StdioTransport } from "../src/Transport.ts"

// A child that writes `chunks` to stdout one by one (each its own write), then runs `then`
// (by default: exit when stdin closes, as a server does).
const writer = (
  chunks: ReadonlyArray<string>,
  then = 'process.stdin.on("end", () => process.exit(0)).resume()'
) =>
  new StdioTransport({
    command: process.execPath,
    args: [
      "-e",
      `const c = ${JSON.stringify(chunks)}; let i = 0;
       const next = () => { if (i < c.length) process.stdout.write(c[i++], next); else { ${then} } }; next()`
    ],
    maxMessageBytes: 1000
  })

const collect = (t: StdioTransport, n: number) =>
  new Promise<Array<JSONRPCMessage>>((resolve, reject) => {
    const got: Array<JSONRPCMessage> = []
    t.onmessage = (m) => {
      got.push(m)
      if (got.length === n) resolve(got)
    }
    t.onerror = reject
  })

const msg = (id: number, text: string) => JSON.stringify({ jsonrpc: "2.0", id, result: { text } })

describe("StdioTransport", () => {
  it("frames lines split over many chunks, several lines in one chunk, and CRLF", async () => {
    const a = msg(1, "é".repeat(50))
    const chunks = [...a.match(/.{1,7}/gsu)!, "\n", `${msg(2, "b")}\r\n${msg(3, "c")}\n${msg(4, "d")}`, "\n"]
    const t = writer(chunks)
    const done = collect(t, 4)
    await t.start()
    const got = await done
    expect(got.map((m) => (m as { id: number }).id)).toEqual([1, 2, 3, 4])
    expect((got[0] as unknown as { result: { text: string } }).result.text).toBe("é".repeat(50))
    await t.close()
    expect(t.exit).toBeDefined()
  })

  it("a line over the limit is a MessageTooLarge error and closes the transport", async () => {
    const t = writer(["x".repeat(600), "y".repeat(600), "\n"])
    const error = new Promise<Error>((resolve) => {
      t.onerror = resolve
    })
    const closed = new Promise<void>((resolve) => {
      t.onclose = resolve
    })
    await t.start()
    const e = await error
    expect(e).toBeInstanceOf(MessageTooLarge)
    await closed
  })

  it("remembers the exit code of a process that exits, and the spawn error of one that cannot start", async () => {
    const t = writer([], "process.exit(3)")
    const closed = new Promise<void>((resolve) => {
      t.onclose = resolve
    })
    await t.start()
    await closed
    expect(t.exit).toEqual({ code: 3, signal: null })

    const missing = new StdioTransport({ command: "/nonexistent/bin" })
    missing.onerror = () => {}
    await expect(missing.start()).rejects.toThrow(/ENOENT/)
    expect(missing.spawnError?.code).toBe("ENOENT")
  })
})
