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
  type RequestId,
  type ServerNotification,
  SetLevelRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import { Callers, type McpHub, McpHub as McpHubTag } from "@tta/mcp"
import { Cause, Effect, Exit, Option } from "effect"
import { CodeMode, type LogLine } from "../CodeMode.ts"
import * as Notify from "../Notify.ts"
import * as Policy from "../Policy.ts"
import * as Passthrough from "./Passthrough.ts"
import * as Responses from "./Responses.ts"
import { type Run, runtime } from "./Runtime.ts"
import * as Tasks from "./Tasks.ts"
import * as Tools from "./Tools.ts"

export { type Run, runtime }

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

const consoleLevels: Record<LogLine["level"], LoggingLevel> = {
  log: "info",
  info: "info",
  debug: "debug",
  warn: "warning",
  error: "error"
}

/**
 * Console lines one execute sends live, at most; the rest are only in its answer. A loop printing
 * short lines could otherwise send hundreds of thousands of notifications within the output limit.
 */
export const liveLogLines = 1000

/**
 * Ends a cancelled request's SSE stream (Streamable HTTP): it gets no answer, and an open stream
 * would keep the client waiting and the session busy. Other transports have no such stream.
 */
const closeStream = (server: Server, requestId: RequestId) =>
  (server.transport as { closeSSEStream?: (id: RequestId) => void } | undefined)?.closeSSEStream?.(requestId)

/** A server for one client connection; connect it to a transport. */
export const make = (run: Run, extras: Extras = {}): Server => {
  const hub = extras.hub
  const routes = extras.routes ?? Passthrough.makeRoutes()
  const taskStore = new Tasks.Store()
  const server = new Server(Tools.serverInfo, {
    capabilities: {
      tools: { listChanged: true },
      ...(hub ? Passthrough.capabilities : { logging: {} }),
      // A long execute can run as a task (MCP 2025-11-25, experimental): status, result later, cancel.
      tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } }
    },
    instructions: Tools.instructions,
    taskStore
  })
  const approver = approverFor(server)
  // A closed session's tasks go with it: the store's TTL timers would keep them (and it) alive.
  // Its log level no longer counts for the servers' level.
  server.onclose = () => {
    taskStore.cleanup()
    if (hub) void run(Passthrough.setLevel(hub, routes, server, undefined))
  }
  // Log messages go out only to a client that set a level, and only at or above it.
  let logLevel: LoggingLevel | undefined
  const wants = (level: LoggingLevel) =>
    logLevel !== undefined && Passthrough.levels.indexOf(level) >= Passthrough.levels.indexOf(logLevel)
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel = request.params.level
    if (hub) await run(Passthrough.setLevel(hub, routes, server, request.params.level))
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
    const task = (request.params as { task?: { ttl?: number } }).task
    const asTask = task !== undefined && extra.taskStore !== undefined && Tools.isToolName(name)
    // A task's request is answered at once: what its run reports goes on the session's own stream.
    const send = (notification: ServerNotification) =>
      void (asTask ? server.notification(notification) : extra.sendNotification(notification)).catch(
        () => undefined
      )
    // Steps of this request's progress, numbered here so they only go up; console lines sent live.
    let steps = 0
    let liveLines = 0
    const progress = (progress: number, message?: string, total?: number) =>
      token === undefined
        ? undefined
        : send({
            method: "notifications/progress",
            params: {
              progressToken: token,
              progress,
              ...(total === undefined ? {} : { total }),
              ...(message === undefined ? {} : { message })
            }
          })
    const reporter: Notify.Reporter = {
      progress: token === undefined ? undefined : (message) => progress(++steps, message),
      // The code's console output, as log messages while it runs.
      log: (line) => {
        const level = consoleLevels[line.level]
        if (!wants(level) || liveLines > liveLogLines) return
        liveLines++
        const data =
          liveLines > liveLogLines
            ? `(${liveLogLines} lines were sent as the code wrote them; the rest are in execute's answer)`
            : line.message
        send({ method: "notifications/message", params: { level, logger: "code", data } })
      }
    }
    // The log messages servers send while this request's calls to them are in flight.
    const caller = Passthrough.callerFor(server, { wants }, send)
    const asRequest = <A, E>(effect: Effect.Effect<A, E, CodeMode>) =>
      effect.pipe(
        Effect.provideService(Notify.Reporter, reporter),
        Effect.provideService(Callers.Caller, caller)
      )
    if (!Tools.isToolName(name)) {
      const direct = await run(
        ask(
          asRequest(
            CodeMode.use(
              (c) =>
                c.callDirect?.(name, args, {
                  onProgress:
                    token === undefined ? undefined : (p) => progress(p.progress, p.message, p.total)
                }) ?? Effect.succeed(undefined)
            )
          )
        ),
        { signal: extra.signal }
      )
      if (extra.signal.aborted) closeStream(server, extra.requestId)
      if (Exit.isSuccess(direct) && direct.value !== undefined) return direct.value
      if (Exit.isFailure(direct)) return Responses.error(`Internal error: ${Cause.pretty(direct.cause)}`)
      throw Passthrough.rpcError(
        ErrorCode.InvalidParams,
        new Tools.UnknownTool({ name, offered: Tools.names }).message
      )
    }
    const call = asRequest(Tools.handleCall(name, args))
    if (asTask) return Tasks.start(taskStore, extra.taskStore!, task!, run, ask(call))
    const exit = await run(ask(call), { signal: extra.signal })
    // A cancelled request gets no answer (the spec's rule): end its stream once the run has stopped.
    if (extra.signal.aborted) closeStream(server, extra.requestId)
    if (Exit.isFailure(exit)) return Responses.error(`Internal error: ${Cause.pretty(exit.cause)}`)
    return exit.value
  })
  if (hub) Passthrough.register(server, hub, routes, run, { wants })
  return server
}
