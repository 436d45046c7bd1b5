/**
 * `tta exec --connect <url>`: the code runs on a running `tta serve --http` (its `execute` tool), so
 * a run reuses that gateway's started servers, sandbox and warm type checker instead of starting its
 * own. Nothing here spawns a server.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type Printable, printOutcome, readCode } from "./Outcome.ts"

/** The gateway could not be reached or did not answer as a tta gateway. */
export class GatewayUnreachable extends Schema.TaggedError<GatewayUnreachable>()("GatewayUnreachable", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot run on the gateway at ${this.url}: ${this.reason}`
  }
}

/** The code failed on the gateway (type error, throw, limit): its message as the gateway wrote it. */
export class RemoteExecutionFailed extends Schema.TaggedError<RemoteExecutionFailed>()(
  "RemoteExecutionFailed",
  { message: Schema.String }
) {}

const connect = (url: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const client = new Client({ name: "tta-exec", version: "0.1.0" })
        await client.connect(new StreamableHTTPClientTransport(new URL(url)))
        return client
      },
      catch: (e) => new GatewayUnreachable({ url, reason: e instanceof Error ? e.message : String(e) })
    }),
    (client) => Effect.promise(() => client.close().catch(() => undefined))
  )

export const exec = (flags: { readonly file: string; readonly connect: string; readonly json: boolean }) =>
  Effect.scoped(
    Effect.gen(function* () {
      const code = yield* readCode(flags.file)
      const client = yield* connect(flags.connect)
      const result = yield* Effect.tryPromise({
        // verbose: the per-call records, which a local exec prints too.
        try: () => client.callTool({ name: "execute", arguments: { code, verbose: true } }),
        catch: (e) =>
          new GatewayUnreachable({ url: flags.connect, reason: e instanceof Error ? e.message : String(e) })
      })
      const text = ((result.content ?? []) as Array<{ type: string; text?: string }>)
        .map((c) => c.text ?? "")
        .join("\n")
      if (result.isError) return yield* new RemoteExecutionFailed({ message: text })
      if (result.structuredContent === undefined)
        return yield* new GatewayUnreachable({
          url: flags.connect,
          reason: "execute returned no structured result"
        })
      const outcome = result.structuredContent as Partial<Printable>
      yield* printOutcome(
        {
          durationMs: 0,
          truncated: false,
          value: undefined,
          ...outcome,
          logs: outcome.logs ?? [],
          toolCalls: outcome.toolCalls ?? []
        },
        flags.json
      )
    })
  )
