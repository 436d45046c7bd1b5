/**
 * A tools/call run as a task (MCP 2025-11-25, experimental): the call is answered at once with the
 * task, runs on, and its result is stored for tasks/result; a cancelled task's run is interrupted
 * the moment tasks/cancel marks it (its sandbox run stops, no more tool calls are made).
 */
import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js"
import type { RequestTaskStore } from "@modelcontextprotocol/sdk/shared/protocol.js"
import type { CallToolResult, CreateTaskResult, Result, Task } from "@modelcontextprotocol/sdk/types.js"
import { Cause, type Effect, Exit } from "effect"
import type { CodeMode } from "../CodeMode.ts"
import * as Responses from "./Responses.ts"
import type { Run } from "./Runtime.ts"

/** The SDK's in-memory store, telling the gateway when a task is cancelled (the SDK only marks it). */
export class Store extends InMemoryTaskStore {
  private readonly cancels = new Map<string, () => void>()

  /** Calls `onCancel` once if the task is cancelled; the function returned forgets it. */
  whenCancelled(taskId: string, onCancel: () => void): () => void {
    this.cancels.set(taskId, onCancel)
    return () => this.cancels.delete(taskId)
  }

  override async updateTaskStatus(
    taskId: string,
    status: Task["status"],
    statusMessage?: string,
    sessionId?: string
  ): Promise<void> {
    await super.updateTaskStatus(taskId, status, statusMessage, sessionId)
    if (status !== "cancelled") return
    const cancel = this.cancels.get(taskId)
    this.cancels.delete(taskId)
    cancel?.()
  }

  override async storeTaskResult(
    taskId: string,
    status: "completed" | "failed",
    result: Result,
    sessionId?: string
  ): Promise<void> {
    this.cancels.delete(taskId)
    await super.storeTaskResult(taskId, status, result, sessionId)
  }
}

export const start = async (
  store: Store,
  requestStore: RequestTaskStore,
  params: { readonly ttl?: number | undefined },
  run: Run,
  call: Effect.Effect<CallToolResult, never, CodeMode>
): Promise<CreateTaskResult> => {
  const task = await requestStore.createTask(params.ttl === undefined ? {} : { ttl: params.ttl })
  const abort = new AbortController()
  const forget = store.whenCancelled(task.taskId, () => abort.abort())
  void run(call, { signal: abort.signal }).then(async (exit) => {
    forget()
    if (abort.signal.aborted) return
    const result = Exit.isSuccess(exit)
      ? exit.value
      : Responses.error(`Internal error: ${Cause.pretty(exit.cause)}`)
    await requestStore
      .storeTaskResult(task.taskId, result.isError === true ? "failed" : "completed", result)
      .catch(() => undefined)
  })
  return { task }
}
