/**
 * A tools/call run as a task (MCP 2025-11-25, experimental): the call is answered at once with the
 * task, runs on, and its result is stored for tasks/result; a cancelled task's run is interrupted.
 */
import type { RequestTaskStore } from "@modelcontextprotocol/sdk/shared/protocol.js"
import type { CallToolResult, CreateTaskResult } from "@modelcontextprotocol/sdk/types.js"
import { Cause, type Effect, Exit } from "effect"
import type { CodeMode } from "../CodeMode.ts"
import * as Responses from "./Responses.ts"
import type { Run } from "./Runtime.ts"

/** How often a running task looks whether it was cancelled (tasks/cancel only marks it). */
const cancelCheckMs = 250

export const start = async (
  store: RequestTaskStore,
  params: { readonly ttl?: number | undefined },
  run: Run,
  call: Effect.Effect<CallToolResult, never, CodeMode>
): Promise<CreateTaskResult> => {
  const task = await store.createTask(params.ttl === undefined ? {} : { ttl: params.ttl })
  const abort = new AbortController()
  const watch = setInterval(() => {
    store
      .getTask(task.taskId)
      .then((t) => {
        if (t?.status === "cancelled") abort.abort()
      })
      .catch(() => undefined)
  }, cancelCheckMs)
  watch.unref()
  void run(call, { signal: abort.signal }).then(async (exit) => {
    clearInterval(watch)
    if (abort.signal.aborted) return
    const result = Exit.isSuccess(exit)
      ? exit.value
      : Responses.error(`Internal error: ${Cause.pretty(exit.cause)}`)
    await store
      .storeTaskResult(task.taskId, result.isError === true ? "failed" : "completed", result)
      .catch(() => undefined)
  })
  return { task }
}
