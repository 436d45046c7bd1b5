// The rest of MCP through McpHub.passthrough, against server-everything (resources, templates,
// prompts, completions, logging, subscriptions, progress, sampling, elicitation).
import { assert, describe, it } from "@effect/vitest"
import { Callers, McpHub, type McpHubService, type Passthrough } from "@tta/mcp"
import { Effect, PubSub, type Scope } from "effect"
import { binOf, stdio } from "./helpers.ts"

const everything = () =>
  McpHub.make(
    {
      mcpServers: {
        everything: {
          type: "stdio",
          args: [],
          env: {},
          ...stdio(binOf("@modelcontextprotocol/server-everything"), ["stdio"])
        }
      }
    } as never,
    { timeout: "20 seconds", capabilities: { sampling: {}, elicitation: {} } }
  )

// The next notification of `method`, from a subscription taken before the trigger ran.
const next = (
  sub: PubSub.Subscription<Passthrough.Notification>,
  method: Passthrough.Notification["method"]
) =>
  Effect.gen(function* () {
    for (;;) {
      const n = yield* PubSub.take(sub)
      if (n.method === method) return n
    }
  })

const hubOf = (): Effect.Effect<McpHubService, never, Scope.Scope> => everything()

describe("passthrough", () => {
  it.live("info, resources (pages, templates, text and blob), prompts and completions", () =>
    Effect.gen(function* () {
      const p = (yield* hubOf()).passthrough
      const info = yield* p.info("everything")
      assert.isTrue(info.capabilities.resources?.subscribe)
      assert.strictEqual(info.version.name, "mcp-servers/everything")
      const resources = yield* p.listResources("everything")
      assert.isAbove(resources.resources.length, 0)
      const templates = yield* p.listResourceTemplates("everything")
      assert.include(
        templates.resourceTemplates.map((t) => t.uriTemplate),
        "demo://resource/dynamic/text/{resourceId}"
      )
      const text = yield* p.readResource("everything", "demo://resource/dynamic/text/1")
      assert.isString((text.contents[0] as { text?: string }).text)
      const blob = yield* p.readResource("everything", "demo://resource/dynamic/blob/1")
      assert.isString((blob.contents[0] as { blob?: string }).blob)
      const prompts = yield* p.listPrompts("everything")
      assert.include(
        prompts.prompts.map((x) => x.name),
        "args-prompt"
      )
      const prompt = yield* p.getPrompt("everything", "args-prompt", { city: "Oslo" })
      assert.include(JSON.stringify(prompt.messages), "Oslo")
      const completion = yield* p.complete("everything", {
        ref: { type: "ref/prompt", name: "completable-prompt" },
        argument: { name: "department", value: "E" }
      })
      assert.include(completion.completion.values, "Engineering")
      const missing = yield* Effect.flip(p.readResource("nope", "x://y"))
      assert.strictEqual(missing._tag, "ServerNotFound")
    }).pipe(Effect.scoped)
  )

  it.live("log messages and resource updates arrive as notifications naming the server", () =>
    Effect.gen(function* () {
      const hub = yield* hubOf()
      const p = hub.passthrough
      const sub = yield* p.subscribeNotifications
      yield* p.setLogLevel("everything", "debug")
      yield* hub.callTool("everything", "toggle-simulated-logging", {})
      const log = yield* next(sub, "notifications/message")
      assert.strictEqual(log.server, "everything")
      const uri = "demo://resource/dynamic/text/1"
      yield* p.subscribe("everything", uri)
      yield* hub.callTool("everything", "toggle-subscriber-updates", {})
      const updated = yield* next(sub, "notifications/resources/updated")
      assert.deepStrictEqual(updated, {
        server: "everything",
        method: "notifications/resources/updated",
        params: { uri }
      })
      yield* p.unsubscribe("everything", uri)
    }).pipe(Effect.scoped)
  )

  it.live("a log message sent during a caller's call reaches that caller before the call returns", () =>
    Effect.gen(function* () {
      const hub = yield* hubOf()
      yield* hub.passthrough.setLogLevel("everything", "debug")
      const got: Array<string> = []
      const caller: Callers.Caller = { log: (server) => got.push(server) }
      // The toggle writes its first message before its answer: it is routed as it is read.
      yield* hub
        .callTool("everything", "toggle-simulated-logging", {})
        .pipe(Effect.provideService(Callers.Caller, caller))
      assert.isAbove(got.length, 0)
      assert.deepStrictEqual(new Set(got), new Set(["everything"]))
      yield* hub.callTool("everything", "toggle-simulated-logging", {})
    }).pipe(Effect.scoped)
  )

  it.live(
    "a subscription survives a restart of the server (sent again before the new connection serves)",
    () =>
      Effect.gen(function* () {
        const hub = yield* hubOf()
        const p = hub.passthrough
        const uri = "demo://resource/dynamic/text/2"
        yield* p.subscribe("everything", uri)
        const [before] = yield* hub.status()
        process.kill(before?.pid ?? 0, "SIGKILL")
        yield* Effect.flip(hub.callTool("everything", "echo", { message: "dies with the process" })).pipe(
          Effect.repeat({ until: (e) => e._tag === "ServerCrashed", times: 50 }),
          Effect.ignore
        )
        const sub = yield* p.subscribeNotifications
        // The restart (on this call) subscribes again before the toggle runs on the new process.
        yield* hub.callTool("everything", "toggle-subscriber-updates", {})
        const [after] = yield* hub.status()
        assert.notStrictEqual(after?.pid, before?.pid)
        const updated = yield* next(sub, "notifications/resources/updated")
        assert.strictEqual(
          updated.method === "notifications/resources/updated" ? updated.params.uri : "",
          uri
        )
      }).pipe(Effect.scoped)
  )

  it.live("a call reports progress; sampling and elicitation requests reach the installed handlers", () =>
    Effect.gen(function* () {
      const hub = yield* hubOf()
      const progress: Array<number> = []
      yield* hub.callTool(
        "everything",
        "trigger-long-running-operation",
        { duration: 0.3, steps: 3 },
        { onProgress: (p) => progress.push(p.progress) }
      )
      assert.deepStrictEqual(progress, [1, 2, 3])

      // No handler yet: the server's request is refused, and the tool says so.
      const refused = yield* Effect.result(
        hub.callTool("everything", "trigger-sampling-request", { prompt: "hi" })
      )
      assert.include(JSON.stringify(refused), "no client is connected to answer sampling/createMessage")

      const asked: Array<string> = []
      yield* hub.passthrough.handleRequests({
        sampling: (server, params) =>
          Effect.sync(() => {
            asked.push(`${server}: ${JSON.stringify(params.messages[0]?.content)}`)
            return {
              role: "assistant" as const,
              model: "test-model",
              content: { type: "text" as const, text: "forty-two" }
            }
          }),
        elicitation: (server) =>
          Effect.sync(() => {
            asked.push(`${server}: elicitation`)
            return { action: "decline" as const }
          })
      })
      const sampled = yield* hub.callTool("everything", "trigger-sampling-request", { prompt: "the answer?" })
      assert.include(JSON.stringify(sampled), "forty-two")
      yield* Effect.result(hub.callTool("everything", "trigger-elicitation-request", {}))
      assert.strictEqual(asked.length, 2)
      assert.include(asked[0], "everything: ")
      assert.include(asked[0], "the answer?")
      assert.strictEqual(asked[1], "everything: elicitation")
    }).pipe(Effect.scoped)
  )
})
