// Servers of our own that misbehave: exit mid-call, hang, freeze, write garbage, answer 20 MB.
import { assert, describe, it } from "@effect/vitest"
import { McpHub, type McpHubOptions, type McpHubService } from "@tta/mcp"
import { Effect, Fiber, type Scope } from "effect"
import { isAlive, serverScript, stdio, waitForExit } from "./helpers.ts"

const fault = stdio(serverScript("fault"))

const hubWith = (
  servers: Record<string, ReturnType<typeof stdio>>,
  options: McpHubOptions = {}
): Effect.Effect<McpHubService, never, Scope.Scope> =>
  McpHub.make(
    {
      mcpServers: Object.fromEntries(
        Object.entries(servers).map(([k, v]) => [k, { type: "stdio" as const, args: [], env: {}, ...v }])
      )
    } as never,
    { restartBackoff: "20 millis", pingTimeout: "1 second", ...options }
  )

const pidOf = (hub: McpHubService, server: string) =>
  Effect.map(hub.callTool(server, "pid", {}), (v) => (v as { pid: number }).pid)

const poll = <A>(effect: Effect.Effect<A, unknown>, until: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const a = yield* effect
      if (until(a)) return a
      yield* Effect.sleep("50 millis")
    }
    return yield* effect
  })

describe("faults", () => {
  it.live(
    "the catalog carries the version each server reported at initialize; one that cannot start has none",
    () =>
      Effect.gen(function* () {
        const hub = yield* hubWith({ fault, dies: stdio(serverScript("fault"), ["--die-at-start"]) })
        const catalog = yield* hub.catalog()
        assert.deepStrictEqual(
          catalog.servers.map((s) => [s.name, s.version]),
          [
            ["fault", "1.0.0"],
            ["dies", undefined]
          ]
        )
        assert.isDefined(catalog.servers[1]?.error)
      }).pipe(Effect.scoped)
  )

  it.live("a crash mid-call is a typed error with the stderr tail; the next call restarts the server", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault })
      const before = yield* pidOf(hub, "fault")
      const error = yield* Effect.flip(hub.callTool("fault", "crash", {}))
      assert.strictEqual(error._tag, "ServerCrashed")
      assert.include(error.message, `MCP server "fault" exited with code 3 during tools/call crash`)
      assert.strictEqual(error._tag === "ServerCrashed" ? error.exitCode : undefined, 3)
      assert.include(error.message, "segfault in widget frobnicator")
      const after = yield* pidOf(hub, "fault")
      assert.notStrictEqual(after, before)
      assert.isTrue(yield* Effect.promise(() => waitForExit(before)))
      const [status] = yield* hub.status()
      assert.strictEqual(status?.failures, 0)
      assert.strictEqual(status?.pid, after)
    }).pipe(Effect.scoped)
  )

  it.live("restarts are bounded: a server that keeps dying at start fails fast after maxRestarts", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith(
        { dead: stdio(serverScript("fault"), ["--die-at-start"]) },
        { maxRestarts: 2, restartCooldown: "1 minute" }
      )
      for (let attempt = 1; attempt <= 3; attempt++) {
        const error = yield* Effect.flip(hub.callTool("dead", "echo", { text: "x" }))
        assert.strictEqual(error._tag, "ConnectError", `attempt ${attempt}`)
        assert.include(error.message, "refusing to start (bad credentials)")
      }
      const gaveUp = yield* Effect.flip(hub.callTool("dead", "echo", { text: "x" }))
      assert.strictEqual(gaveUp._tag, "ServerUnavailable")
      assert.include(gaveUp.message, `MCP server "dead" failed 3 times in a row`)
      const catalog = yield* hub.catalog()
      assert.include(catalog.servers[0]?.error, "failed 3 times")
    }).pipe(Effect.scoped)
  )

  it.live(
    "servers that cannot start: typed errors with the spawn error or exit code; connectAll and health say which",
    () =>
      Effect.gen(function* () {
        const hub = yield* hubWith({
          ok: fault,
          missing: { command: "/nonexistent/bin", args: [], env: {} },
          dies: stdio(serverScript("fault"), ["--die-at-start"])
        })
        const missing = yield* Effect.flip(hub.connect("missing"))
        assert.strictEqual(missing._tag, "ConnectError")
        assert.strictEqual(missing._tag === "ConnectError" ? missing.spawnError : undefined, "ENOENT")
        assert.include(
          missing.message,
          `MCP server "missing" could not be started: cannot run "/nonexistent/bin" (ENOENT`
        )
        const dies = yield* Effect.flip(hub.connect("dies"))
        assert.strictEqual(dies._tag === "ConnectError" ? dies.exitCode : undefined, 2)
        assert.include(dies.message, "exited with code 2 before answering initialize")
        assert.include(dies.message, "refusing to start (bad credentials)")

        yield* hub.connectAll(["ok"])
        const all = yield* Effect.flip(hub.connectAll())
        assert.strictEqual(all._tag, "ServersUnavailable")
        if (all._tag === "ServersUnavailable") {
          assert.deepStrictEqual(
            all.failures.map((f) => [f.server, f.error, f.exitCode, f.spawnError]),
            [
              ["missing", "ConnectError", undefined, "ENOENT"],
              ["dies", "ConnectError", 2, undefined]
            ]
          )
        }
        assert.include(all.message, "2 of 3 MCP servers could not be started")
        const unknown = yield* Effect.flip(hub.connectAll(["nope"]))
        assert.strictEqual(unknown._tag, "ServerNotFound")

        const health = yield* hub.health()
        assert.deepStrictEqual(
          health.map((h) => [h.name, h.ok, h.error?._tag]),
          [
            ["ok", true, undefined],
            ["missing", false, "ConnectError"],
            ["dies", false, "ConnectError"]
          ]
        )
        assert.isAbove(health[0]?.tools ?? 0, 5)
        const status = yield* hub.status()
        assert.strictEqual(status.find((s) => s.name === "dies")?.exitCode, 2)
      }).pipe(Effect.scoped)
  )

  it.live("a call that hangs times out and the server receives the cancellation", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault })
      const pid = yield* pidOf(hub, "fault")
      const error = yield* Effect.flip(hub.callTool("fault", "hang", {}, { timeout: "300 millis" }))
      assert.strictEqual(error._tag, "ToolTimeout")
      assert.include(error.message, "fault/hang did not answer within 300 ms")
      const seen = yield* poll(
        hub.callTool("fault", "cancellations", {}),
        (v) => (v as { cancellations: number }).cancellations >= 1
      )
      assert.deepStrictEqual(seen, { cancellations: 1 })
      // The server still answers, so it is kept: same process.
      assert.strictEqual(yield* pidOf(hub, "fault"), pid)
    }).pipe(Effect.scoped)
  )

  it.live("interrupting the caller sends notifications/cancelled to the server", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault })
      yield* pidOf(hub, "fault")
      const fiber = yield* Effect.forkChild(hub.callTool("fault", "hang", {}))
      yield* Effect.sleep("200 millis")
      yield* Fiber.interrupt(fiber)
      const seen = yield* poll(
        hub.callTool("fault", "cancellations", {}),
        (v) => (v as { cancellations: number }).cancellations >= 1
      )
      assert.deepStrictEqual(seen, { cancellations: 1 })
    }).pipe(Effect.scoped)
  )

  it.live("a frozen server times out and is killed, not left half-open; the next call gets a fresh one", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault })
      const pid = yield* pidOf(hub, "fault")
      const error = yield* Effect.flip(hub.callTool("fault", "freeze", {}, { timeout: "300 millis" }))
      assert.strictEqual(error._tag, "ToolTimeout")
      assert.isTrue(yield* Effect.promise(() => waitForExit(pid)), "frozen process was killed")
      const fresh = yield* pidOf(hub, "fault")
      assert.notStrictEqual(fresh, pid)
    }).pipe(Effect.scoped)
  )

  it.live("garbage on stdout is a ProtocolError at once (no timeout); the server is replaced", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault }, { timeout: "20 seconds" })
      const pid = yield* pidOf(hub, "fault")
      const error = yield* Effect.flip(hub.callTool("fault", "garbage", {}))
      assert.strictEqual(error._tag, "ProtocolError")
      assert.include(error.message, `MCP server "fault" broke the protocol during tools/call`)
      assert.include(error.message, "not JSON-RPC")
      assert.isTrue(yield* Effect.promise(() => waitForExit(pid)))
      assert.strictEqual(yield* hub.callTool("fault", "echo", { text: "still here" }), "still here")
    }).pipe(Effect.scoped)
  )

  it.live(
    "a 20 MB result exceeds the cap: ResultTooLarge naming the limit; the same server keeps serving",
    () =>
      Effect.gen(function* () {
        const hub = yield* hubWith({ fault })
        const pid = yield* pidOf(hub, "fault")
        const ok = yield* hub.callTool("fault", "big", { megabytes: 1 })
        assert.strictEqual((ok as string).length, 1024 * 1024)
        const error = yield* Effect.flip(hub.callTool("fault", "big", { megabytes: 20 }))
        assert.strictEqual(error._tag, "ResultTooLarge")
        assert.include(
          error.message,
          `fault/big returned more than the ${10 * 1024 * 1024}-byte result limit`
        )
        assert.strictEqual(yield* hub.callTool("fault", "echo", { text: "after" }), "after")
        // Only that answer was skipped: the server was not restarted.
        assert.strictEqual(yield* pidOf(hub, "fault"), pid)
      }).pipe(Effect.scoped)
  )

  it.live("isError → ToolError with the server's message; structured and plain results", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault })
      const error = yield* Effect.flip(hub.callTool("fault", "fail", {}))
      assert.strictEqual(error._tag, "ToolError")
      assert.strictEqual(error.message, "fault/fail failed: the widget is broken")
      assert.deepStrictEqual(yield* hub.callTool("fault", "weather", { city: "Oslo" }), {
        city: "Oslo",
        celsius: 21.5
      })
      assert.strictEqual(yield* hub.callTool("fault", "prose", {}), "hello, world")
      const raw = yield* hub.callToolResult("fault", "fail", {})
      assert.isTrue(raw.isError)
      const invalid = yield* Effect.flip(hub.callTool("fault", "echo", { text: "x", times: 0 }))
      assert.strictEqual(invalid._tag, "InvalidToolArguments")
      assert.include(invalid.message, "arguments/times must be >= 1")
    }).pipe(Effect.scoped)
  )

  it.live(
    "results that break their outputSchema or the content shape, and JSON-RPC errors, are RequestErrors; the server is kept",
    () =>
      Effect.gen(function* () {
        const hub = yield* hubWith({ liar: stdio(serverScript("liar")) })
        assert.deepStrictEqual(yield* hub.callTool("liar", "right", {}), { n: 1 })
        const wrong = yield* Effect.flip(hub.callTool("liar", "wrong_shape", {}))
        assert.strictEqual(wrong._tag, "RequestError")
        assert.include(wrong.message, "structured content does not match the tool's output schema")
        assert.include(wrong.message, "/n must be number")
        const none = yield* Effect.flip(hub.callTool("liar", "no_structured", {}))
        assert.include(none.message, "has an output schema but did not return structured content")
        const bad = yield* Effect.flip(hub.callTool("liar", "bad_content", {}))
        assert.strictEqual(bad._tag, "RequestError")
        assert.include(bad.message, "invalid tools/call result: content[0] has no string `text`")
        const rejected = yield* Effect.flip(hub.callTool("liar", "reject", {}))
        assert.strictEqual(rejected._tag, "RequestError")
        assert.strictEqual(rejected._tag === "RequestError" ? rejected.code : 0, -32602)
        assert.include(
          rejected.message,
          `MCP server "liar" rejected tools/call reject (code -32602): no such widget`
        )
        const [status] = yield* hub.status()
        assert.isTrue(status?.connected)
        assert.deepStrictEqual(yield* hub.callTool("liar", "right", {}), { n: 1 })
        // Unchecked when asked: the value is passed on as the server sent it.
        const lax = yield* hubWith({ liar: stdio(serverScript("liar")) }, { validateOutput: false })
        assert.deepStrictEqual(yield* lax.callTool("liar", "wrong_shape", {}), { n: "one" })
      }).pipe(Effect.scoped)
  )

  it.live("calls beyond maxConcurrency wait their turn", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ fault }, { maxConcurrency: 3 })
      yield* Effect.all(
        Array.from({ length: 10 }, () => hub.callTool("fault", "slow", { ms: 100 })),
        { concurrency: "unbounded" }
      )
      const stats = (yield* hub.callTool("fault", "stats", {})) as { maxInflight: number }
      assert.isAtMost(stats.maxInflight, 3)
      assert.isAtLeast(stats.maxInflight, 2)
    }).pipe(Effect.scoped)
  )

  it.live("listTools follows pagination", () =>
    Effect.gen(function* () {
      const hub = yield* hubWith({ paged: stdio(serverScript("paged")) })
      const tools = yield* hub.listTools("paged")
      assert.strictEqual(tools.length, 25)
      assert.strictEqual(tools[24]?.name, "tool_24")
      assert.deepStrictEqual(yield* hub.callTool("paged", "tool_17", { n: 3 }), { tool: "tool_17", n: 3 })
    }).pipe(Effect.scoped)
  )

  it.live("closing the hub stops every child process, even with calls in flight (no orphans)", () =>
    Effect.gen(function* () {
      const pids = yield* Effect.gen(function* () {
        const hub = yield* hubWith({ a: fault, b: fault, paged: stdio(serverScript("paged")) })
        yield* hub.callTool("a", "echo", { text: "1" })
        yield* hub.callTool("b", "echo", { text: "2" })
        yield* hub.listTools("paged")
        yield* Effect.forkChild(hub.callTool("a", "hang", {}))
        yield* Effect.forkChild(hub.callTool("b", "slow", { ms: 60_000 }))
        yield* Effect.sleep("100 millis")
        const status = yield* hub.status()
        return status.map((s) => s.pid ?? -1)
      }).pipe(Effect.scoped)
      assert.strictEqual(pids.length, 3)
      for (const pid of pids) {
        assert.isAbove(pid, 0)
        assert.isTrue(yield* Effect.promise(() => waitForExit(pid, 8_000)), `pid ${pid} still alive`)
        assert.isFalse(isAlive(pid))
      }
    })
  )
})
