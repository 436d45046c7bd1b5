/**
 * The demo run: start the servers, run the triage twice (the second run reuses the skill the first
 * one saved and the cached runbook), measure each run (steps, tool calls, time, tokens three ways),
 * and write the HTML run report.
 */
import { join } from "node:path"
import { CodeMode } from "@tta/code-mode"
import { run, toMermaid } from "@tta/core"
import type { Store } from "@tta/durable"
import { McpHub } from "@tta/mcp"
import { Observability, Report, type SpanData, type TokenAccount } from "@tta/observability"
import { Cause, Clock, Effect, Exit } from "effect"
import { type DurableRunFailure, durableTriage } from "./DurableRun.ts"
import type { StepEvent } from "./Progress.ts"
import type { RunDirs } from "./Servers.ts"
import { defaultRequest, makeTriage, type TriageError, type TriageResult } from "./Triage.ts"

export interface DemoOptions {
  readonly dirs: RunDirs
  /** How many times to run the triage (2: the second shows skill reuse and the cache). */
  readonly runs?: number | undefined
  /** Make the page step of this run (1-based) fail, to show the saga compensating. */
  readonly failRun?: number | undefined
  /** Run each triage durably on this store (every step journaled); in memory when absent. */
  readonly durable?: { readonly store: Store.StoreConfig } | undefined
}

export interface RunSummary {
  readonly runId: string
  readonly ok: boolean
  readonly error?: string | undefined
  /** Saga steps undone after the failure, in order. */
  readonly compensated: ReadonlyArray<string>
  readonly ms: number
  /** Primitive runs (tta.* spans) of this run. */
  readonly steps: number
  readonly codeExecutions: number
  readonly toolCalls: number
  readonly retries: number
  readonly cacheHits: number
  readonly skillReused: boolean
  /** This run's context tokens, three ways (o200k_base). */
  readonly tokens: TokenAccount.Figures
  readonly result?: TriageResult | undefined
}

export interface DemoResult {
  readonly dirs: RunDirs
  readonly servers: ReadonlyArray<{ readonly name: string; readonly tools: number }>
  readonly serversUpMs: number
  readonly runs: ReadonlyArray<RunSummary>
  /** The whole session: every run together. */
  readonly totals: TokenAccount.Figures
  readonly mermaid: string
  readonly reportPath: string
  readonly breaker: string
}

// Tool calls each compensation makes (see triage/Saga.ts): create_directory + move_file; delete_entities.
const undoCalls: Record<string, number> = { "write-report": 2, "record-entities": 1 }

const keys = ["definitions", "calls", "results", "read", "code", "returned"] as const

const saved = (from: number, to: number) => (from === 0 ? 0 : Math.round(((from - to) / from) * 1000) / 10)

/** What one run added to the session's cumulative account (definitions are counted once per run). */
export const delta = (before: TokenAccount.Figures, after: TokenAccount.Figures): TokenAccount.Figures => {
  const diff = (a: TokenAccount.Breakdown, b: TokenAccount.Breakdown): TokenAccount.Breakdown => {
    const parts = Object.fromEntries(
      keys.map((k) => [k, k === "definitions" ? b.definitions : b[k] - a[k]])
    ) as Omit<TokenAccount.Breakdown, "total">
    return { ...parts, total: keys.reduce((n, k) => n + parts[k], 0) }
  }
  const direct = diff(before.direct, after.direct)
  const toolSearch = diff(before.toolSearch, after.toolSearch)
  const codeMode = diff(before.codeMode, after.codeMode)
  return {
    encoding: after.encoding,
    direct,
    toolSearch,
    codeMode,
    savedVsDirect: saved(direct.total, codeMode.total),
    savedVsToolSearch: saved(toolSearch.total, codeMode.total)
  }
}

const runStats = (spans: ReadonlyArray<SpanData.FinishedSpan>, runId: string) => {
  const root = spans.find(
    (s) =>
      s.attributes["tta.workflow.id"] === runId && s.attributes["tta.primitive.name"] === "incident-triage"
  )
  // The run's spans: the workflow's root span and everything under it. A durable run has no root
  // primitive span (the engine runs the tree): its roots are the top spans of the run's steps.
  const children = new Map<string, Array<SpanData.FinishedSpan>>()
  for (const s of spans) {
    if (s.parentSpanId === undefined) continue
    const list = children.get(s.parentSpanId) ?? []
    list.push(s)
    children.set(s.parentSpanId, list)
  }
  const mine: Array<SpanData.FinishedSpan> = []
  const visit = (s: SpanData.FinishedSpan) => {
    mine.push(s)
    for (const c of children.get(s.spanId) ?? []) visit(c)
  }
  if (root) visit(root)
  else {
    const ids = new Set(spans.filter((s) => s.attributes["tta.workflow.id"] === runId).map((s) => s.spanId))
    const byId = new Map(spans.map((s) => [s.spanId, s]))
    for (const s of spans) {
      if (!ids.has(s.spanId)) continue
      // The highest of the run's spans on this span's path to the root.
      let top = true
      for (let p = s.parentSpanId; p !== undefined; p = byId.get(p)?.parentSpanId) if (ids.has(p)) top = false
      if (top) visit(s)
    }
  }
  const retryRuns = mine.filter((s) => s.name === "tta.retry").length
  return {
    steps: mine.filter(
      (s) => s.name.startsWith("tta.") && s.name !== "tta.retry.attempt" && s.name !== "tta.saga.compensate"
    ).length,
    codeExecutions: mine.filter((s) => s.name === "sandbox.execute").length,
    retries: mine.filter((s) => s.name === "tta.retry.attempt").length - retryRuns,
    cacheHits: mine.filter((s) => s.name === "tta.cache" && s.attributes["tta.cache.hit"] === true).length
  }
}

/** Runs the demo on the services in context (see Stack.layer), with progress events going to Progress. */
export const runDemo = Effect.fn("demo")(function* (options: DemoOptions) {
  const hub = yield* McpHub
  const codeMode = yield* CodeMode.CodeMode
  const started = yield* Clock.currentTimeMillis
  const catalog = yield* hub.catalog()
  const serversUpMs = (yield* Clock.currentTimeMillis) - started
  const triage = makeTriage({ reportDir: join(options.dirs.files, "reports") })
  // One runner for every durable run: each run's steps see its own WorkflowContext.
  const durably = options.durable ? yield* durableTriage(triage, options.durable.store) : undefined
  const runs: Array<RunSummary> = []
  for (let i = 1; i <= (options.runs ?? 2); i++) {
    const runId = `triage-${i}`
    const before = yield* codeMode.tokenAccount()
    const callsBefore = (yield* codeMode.toolCalls()).length
    const t0 = yield* Clock.currentTimeMillis
    const skillReused = (yield* codeMode.listSkills("error history")).some((s) => s.name === "error-history")
    const metadata = options.failRun === i ? { inject: "notify" } : {}
    const exit: Exit.Exit<TriageResult, TriageError | DurableRunFailure> = durably
      ? // A key per demo invocation: a --dir reused later starts new executions, not the old ones.
        yield* durably(defaultRequest, {
          runId,
          metadata,
          key: `${runId}@${t0}`
        })
      : yield* Effect.exit(run(triage.workflow, defaultRequest, { workflowId: runId, metadata }))
    const ms = (yield* Clock.currentTimeMillis) - t0
    const after = yield* codeMode.tokenAccount()
    const toolCalls = (yield* codeMode.toolCalls()).length - callsBefore
    yield* Observability.flush
    const stats = runStats(yield* Observability.spans, runId)
    const failure = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    const compensated =
      failure && typeof failure === "object" && "compensated" in failure
        ? ((failure as { compensated: ReadonlyArray<string> }).compensated ?? [])
        : []
    runs.push({
      runId,
      ok: Exit.isSuccess(exit),
      ...(failure !== undefined
        ? {
            error:
              typeof failure === "object" && failure !== null && "message" in failure
                ? String(failure.message)
                : String(failure)
          }
        : {}),
      compensated,
      ms,
      ...stats,
      // compensations call the servers directly, outside code mode
      toolCalls: toolCalls + compensated.reduce((k, step) => k + (undoCalls[step] ?? 0), 0),
      skillReused,
      tokens: delta(before, after),
      ...(Exit.isSuccess(exit) ? { result: exit.value } : {})
    })
  }
  const totals = yield* codeMode.tokenAccount()
  yield* Observability.flush
  const spans = yield* Observability.spans
  const reportPath = yield* Report.writeReport(join(options.dirs.root, "report.html"), {
    title: "TTA demo: incident triage on real MCP servers",
    spans,
    tokens: totals
  })
  const result: DemoResult = {
    dirs: options.dirs,
    servers: catalog.servers.map((s) => ({ name: s.name, tools: s.tools.length })),
    serversUpMs,
    runs,
    totals,
    mermaid: toMermaid(triage.workflow),
    reportPath,
    breaker: yield* triage.healthCheck.state
  }
  return result
}, Effect.scoped)

const n = (x: number) => x.toLocaleString("en-US")
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`

/** The final table, markdown. */
export const table = (runs: ReadonlyArray<RunSummary>): string => {
  const lines = [
    "| run | steps | code runs | tool calls | time | direct | tool search | code mode | saved vs direct | saved vs tool search |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...runs.map(
      (r) =>
        `| ${r.runId}${r.skillReused ? " (skill reused)" : ""}${r.ok ? "" : " ✗"} | ${r.steps} | ${r.codeExecutions} | ${r.toolCalls} | ${secs(r.ms)} | ${n(r.tokens.direct.total)} | ${n(r.tokens.toolSearch.total)} | ${n(r.tokens.codeMode.total)} | ${r.tokens.savedVsDirect.toFixed(1)}% | ${r.tokens.savedVsToolSearch.toFixed(1)}% |`
    )
  ]
  return `${lines.join("\n")}\n\nTokens: context a model would carry for the run's tool work, counted with gpt-tokenizer (o200k_base). Direct = every definition of the 5 connected servers + every call + every full result; tool search = only the tools used + calls + results; code mode = the gateway's 5 tool definitions + API files and search results read + code written + what the code returned.`
}

export type { StepEvent }
