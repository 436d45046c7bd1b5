/**
 * One MCP server (the SDK's low-level `Server`) answering with the tool table. Requests run on a
 * runtime built from the caller's context (a FiberSet runtime), so the caller's tracer and logger
 * are kept and every request fiber is interrupted when the scope that made the runtime closes.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type LoggingLevel,
  SetLevelRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import { type McpHub, McpHub as McpHubTag } from "@tta/mcp"
import { Cause, Effect, Exit, FiberSet, Option } from "effect"
import { CodeMode, type LogLine } from "../CodeMode.ts"
import * as Notify from "../Notify.ts"
import * as Policy from "../Policy.ts"
import * as Passthrough from "./Passthrough.ts"
import * as Responses from "./Responses.ts"
import * as Tools from "./Tools.ts"

/** Runs an effect on the gateway's runtime, as a promise of its exit. */
export type Run = <A, E>(
  effect: Effect.Effect<A, E, CodeMode>,
  options?: { readonly signal?: AbortSignal | undefined }
) => Promise<Exit.Exit<A, E>>

/** A `Run` over the context in scope; its fibers are interrupted when the scope closes. */
export const runtime = Effect.fnUntraced(function* () {
  const runPromise = yield* FiberSet.makeRuntimePromise<CodeMode>()
  // A fiber interrupted from outside (its scope closed, the client cancelled) rejects its promise:
  // callers get that as an exit too.
  const run: Run = (effect, options) =>
    runPromise(
      Effect.exit(effect),
      options?.signal === undefined ? undefined : { signal: options.signal }
    ).catch((e: unknown) => Exit.die(e))
  return run
})

/** Calls the policy marks "approve" are put to the person at the client, when it can be asked. */
const approverFor = (server: Server) => (call: Policy.CallRequest) =>
  Effect.promise(() =>
    server
      .elicitInput({
        message: `Allow the code to call ${call.server}/${call.tool}?`,
        requestedSchema: {
          type: "object",
          properties: { approve: { type: "boolean", title: `Allow ${call.server}/${call.tool}` } },
          required: ["approve"]
        }
      })
      .then((r) => r.action === "accept" && r.content?.approve === true)
      .catch(() => false)
  )

export interface Extras {
  /** The hub whose resources, prompts, completions and log messages pass through. */
  readonly hub?: McpHub["Service"] | undefined
  /** The gateway's routing tables (shared by its sessions). */
  readonly routes?: Passthrough.Routes | undefined
}

/**
 * The hub in context (when there is one) and fresh routing tables, with servers' sampling and
 * elicitation requests answered through the gateway's clients until the scope closes.
 */
export const extras = Effect.fnUntraced(function* () {
  const hub = Option.getOrUndefined(yield* Effect.serviceOption(McpHubTag))
  const routes = Passthrough.makeRoutes()
  if (hub) yield* Passthrough.answerServerRequests(hub, routes)
  return { hub, routes } satisfies Extras
})

const levels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const
const consoleLevels: Record<LogLine["level"], LoggingLevel> = {
  log: "info",
  info: "info",
  debug: "debug",
  warn: "warning",
  error: "error"
}

/** A server for one client connection; connect it to a transport. */
export const make = (run: Run, extras: Extras = {}): Server => {
  const hub = extras.hub
  const routes = extras.routes ?? Passthrough.makeRoutes()
  const server = new Server(Tools.serverInfo, {
    capabilities: { tools: { listChanged: true }, ...(hub ? Passthrough.capabilities : { logging: {} }) },
    instructions: Tools.instructions
  })
  const approver = approverFor(server)
  // Log messages go out only to a client that set a level, and only at or above it.
  let logLevel: LoggingLevel | undefined
  const wants = (level: LoggingLevel) =>
    logLevel !== undefined && levels.indexOf(level) >= levels.indexOf(logLevel)
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level
    if (hub) await run(Passthrough.setLevel(hub, request.params.level))
    return {}
  })
  const ask = <A, E>(effect: Effect.Effect<A, E, CodeMode>) =>
    server.getClientCapabilities()?.elicitation !== undefined
      ? Effect.provideService(effect, Policy.Approver, approver)
      : effect
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const direct = await run(CodeMode.use((c) => c.directTools?.() ?? Effect.succeed([])))
    return { tools: [...Tools.tools, ...(Exit.isSuccess(direct) ? direct.value : [])] }
  })
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    routes.latest = server
    const { name, arguments: args } = request.params
    const token = request.params._meta?.progressToken
    const progress = (progress: number, message?: string, total?: number) =>
      token === undefined
        ? undefined
        : void extra
            .sendNotification({
              method: "notifications/progress",
              params: {
                progressToken: token,
                progress,
                ...(total === undefined ? {} : { total }),
                ...(message === undefined ? {} : { message })
              }
            })
            .catch(() => undefined)
    const reporter: Notify.Reporter = {
      progress: token === undefined ? undefined : (done, message) => progress(done, message),
      calling: (downstream) => Passthrough.calling(routes, downstream, server)
    }
    if (!Tools.isToolName(name)) {
      const direct = await run(
        ask(
          Effect.provideService(
            CodeMode.use(
              (c) =>
                c.callDirect?.(name, args, {
                  onProgress:
                    token === undefined ? undefined : (p) => progress(p.progress, p.message, p.total)
                }) ?? Effect.succeed(undefined)
            ),
            Notify.Reporter,
            reporter
          )
        ),
        { signal: extra.signal }
      )
      if (Exit.isSuccess(direct) && direct.value !== undefined) return direct.value
      if (Exit.isFailure(direct)) return Responses.error(`Internal error: ${Cause.pretty(direct.cause)}`)
      throw Passthrough.rpcError(
        ErrorCode.InvalidParams,
        new Tools.UnknownTool({ name, offered: Tools.names }).message
      )
    }
    const call = Effect.provideService(Tools.handleCall(name, args), Notify.Reporter, reporter)
    const exit = await run(ask(call), { signal: extra.signal })
    if (Exit.isFailure(exit)) return Responses.error(`Internal error: ${Cause.pretty(exit.cause)}`)
    // The code's console output as log messages, on this request's stream (the sandbox hands logs
    // back when the run ends, so they arrive just before the answer rather than as they happen).
    if (name === "execute") {
      const logs = (exit.value.structuredContent as { logs?: ReadonlyArray<LogLine> } | undefined)?.logs ?? []
      for (const l of logs) {
        const level = consoleLevels[l.level]
        if (!wants(level)) continue
        await extra
          .sendNotification({
            method: "notifications/message",
            params: { level, logger: "code", data: l.message }
          })
          .catch(() => undefined)
      }
    }
    return exit.value
  })
  if (hub) Passthrough.register(server, hub, routes, run, { wants })
  return server
}
