/**
 * The incident triage, built from @tta/core primitives, each used for what it is for:
 *
 *   parallel   three checks at once, each agent code run in the sandbox (the history and latency
 *              checks pull tens of thousands of points and reduce them there)
 *   branch     reuse the saved `error-history` skill if there is one, else discover the API,
 *              write the code and save it as the skill
 *   route      by severity, per service (forEach)
 *   retry + timeout + circuitBreaker   around the metrics server's flaky health check
 *   cache      the docs lookup (one per kind of incident, shared across services and runs)
 *   saga       write the report (filesystem), record entities (memory), page on-call (everything);
 *              if a later step fails, the earlier ones are undone in reverse
 */
import { CodeMode, codeExecution } from "@tta/code-mode"
import {
  branch,
  type Cache,
  type CircuitBreaker,
  type CircuitOpenError,
  cache,
  circuitBreaker,
  compensate,
  forEach,
  lift,
  make,
  map,
  type Primitive,
  parallel,
  type RouteNotFoundError,
  retry,
  route,
  type SagaError,
  saga,
  sequence,
  step,
  type TimeoutError,
  tap,
  timeout,
  WorkflowContext,
  type WorkflowContextShape,
  withName
} from "@tta/core"
import { McpHub } from "@tta/mcp"
import { Clock, type Duration, Effect } from "effect"
import * as Agent from "./Agent.ts"
import { Progress } from "./Progress.ts"

export type Severity = "critical" | "warning" | "resolved" | "ok"

export interface TriageRequest {
  /** How far back the history checks look, e.g. "1d". */
  readonly window: string
  /** Seconds between points of the range queries. */
  readonly step: number
  /** Error rate above which a service is in trouble (0.05 = 5 %). */
  readonly threshold: number
}

export const defaultRequest: TriageRequest = { window: "1d", step: 60, threshold: 0.05 }

export interface ServiceHistory {
  readonly service: string
  readonly peak: number
  readonly minutesAbove: number
  readonly lastAbove: string | null
}
export interface HistoryScan {
  readonly points: number
  readonly services: ReadonlyArray<ServiceHistory>
}
export interface LatencySpike {
  readonly service: string
  readonly medianMs: number
  readonly currentMs: number
  readonly peakMs: number
  readonly peakAt: string
}
export interface LatencyScan {
  readonly points: number
  readonly spikes: ReadonlyArray<LatencySpike>
}
export interface Checks {
  readonly current: Readonly<Record<string, number>>
  readonly history: HistoryScan
  readonly latency: LatencyScan
}

export interface Finding {
  readonly service: string
  readonly severity: Severity
  readonly kind: "errors" | "latency" | "none"
  readonly errorRate: number
  readonly peakErrorRate: number
  readonly minutesAbove: number
  readonly latency?: LatencySpike | undefined
  readonly summary: string
}

export interface Health {
  readonly key: string
  readonly attempt: number
  readonly service: string
  readonly healthy: boolean
  readonly errorRate: number | null
}

export interface Runbook {
  readonly id: string
  readonly title: string
  readonly section: string
  readonly excerpt: string
}

export interface Response {
  readonly service: string
  readonly severity: Severity
  readonly summary: string
  readonly action: string
  readonly health?: Health | undefined
  readonly runbook?: Runbook | undefined
}

export interface ReportWritten {
  readonly responses: ReadonlyArray<Response>
  readonly report: { readonly path: string; readonly bytes: number }
}

export interface Recorded extends ReportWritten {
  readonly incident: string
  readonly entities: { readonly created: ReadonlyArray<string>; readonly relations: number }
}

export interface TriageResult extends Recorded {
  readonly critical: ReadonlyArray<string>
  readonly warning: ReadonlyArray<string>
  readonly resolved: ReadonlyArray<string>
  readonly paged: boolean
}

export const SKILL = "error-history"

export interface HealthCheckOptions {
  /** Limit of one attempt. Default 10 seconds (the call answers in milliseconds when healthy). */
  readonly timeout?: Duration.Input | undefined
  /** Retries after the first attempt. Default 3. */
  readonly retries?: number | undefined
  /** Consecutive failed checks (after retries) that open the breaker. Default 3. */
  readonly failureThreshold?: number | undefined
  readonly resetAfter?: Duration.Input | undefined
  /** Passed to flaky_check: how many calls per key fail first (the server's default is 2). */
  readonly failFirst?: number | undefined
  /** Passed to flaky_check: delay before it answers. */
  readonly delayMs?: number | undefined
}

export interface TriageConfig {
  /** Where reports go: a directory the filesystem server may write to. */
  readonly reportDir: string
  readonly healthCheck?: HealthCheckOptions | undefined
}

type AgentError = CodeMode.ExecutionError | CodeMode.CodeModeError
export type TriageError =
  | AgentError
  | CodeMode.ApiFileNotFound
  | CodeMode.SkillTypeError
  | TimeoutError
  | CircuitOpenError
  | RouteNotFoundError
  | SagaError
type AgentContext = CodeMode.CodeMode | WorkflowContext | Progress

const firstLine = (text: string) => (text.split("\n").find((l) => l.trim() !== "") ?? text).slice(0, 160)

const emit = (
  ctx: WorkflowContextShape,
  stepName: string,
  status: "ok" | "failed" | "compensated" | "info",
  detail: string,
  durationMs = 0,
  toolCalls = 0
) =>
  Progress.use((progress) =>
    progress.emit({ run: ctx.workflowId, step: stepName, status, toolCalls, durationMs, detail })
  )

/**
 * A step whose work is agent code from `agent/<file>`, run through code mode (the codeExecution
 * primitive is its child, so the diagram and the trace show both).
 */
export const agentStep = <I, V, O = V>(
  name: string,
  file: string,
  options: {
    readonly input?: ((input: I, ctx: WorkflowContextShape) => unknown) | undefined
    /** The whole program instead of the file with its input filled in. */
    readonly code?: ((input: I) => string) | undefined
    readonly summary: (value: V, input: I) => string
    readonly result?: ((value: V, input: I, ctx: WorkflowContextShape) => O) | undefined
  }
): Primitive.Primitive<I, O, AgentError, AgentContext> => {
  const exec = codeExecution({ name: `agent/${file}` })
  return make({
    name,
    kind: "agent",
    children: [exec],
    meta: { file: `agent/${file}` },
    run: (input: I) =>
      Effect.gen(function* () {
        const ctx = yield* WorkflowContext
        const started = yield* Clock.currentTimeMillis
        const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - started)
        const program = options.code ? options.code(input) : Agent.code(file, options.input?.(input, ctx))
        const outcome = yield* exec
          .run({ code: program })
          .pipe(
            Effect.tapError((e) =>
              Effect.flatMap(elapsed, (ms) => emit(ctx, name, "failed", firstLine(e.message), ms))
            )
          )
        const value = outcome.value as V
        yield* emit(ctx, name, "ok", options.summary(value, input), yield* elapsed, outcome.toolCalls.length)
        return options.result ? options.result(value, input, ctx) : (value as unknown as O)
      })
  })
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`

/** Severity per service from the three checks. Pure: the rules are the workflow's, not the agent's. */
export const assess = (checks: Checks, request: TriageRequest = defaultRequest): Array<Finding> => {
  const t = request.threshold
  const history = new Map(checks.history.services.map((s) => [s.service, s]))
  const spikes = new Map(checks.latency.spikes.map((s) => [s.service, s]))
  const services = [...new Set([...Object.keys(checks.current), ...history.keys()])].sort()
  const rank: Record<Severity, number> = { ok: 0, resolved: 1, warning: 2, critical: 3 }
  return services.map((service) => {
    const now = checks.current[service] ?? 0
    const h = history.get(service)
    const spike = spikes.get(service)
    const errorSeverity: Severity =
      now > 2 * t ? "critical" : now > t ? "warning" : (h?.peak ?? 0) > t ? "resolved" : "ok"
    const latencySeverity: Severity = !spike
      ? "ok"
      : spike.currentMs > 2 * spike.medianMs
        ? "warning"
        : "resolved"
    const severity = rank[errorSeverity] >= rank[latencySeverity] ? errorSeverity : latencySeverity
    const kind = errorSeverity !== "ok" ? "errors" : latencySeverity !== "ok" ? "latency" : "none"
    const parts: Array<string> = []
    if (errorSeverity !== "ok") {
      parts.push(
        `error rate ${pct(now)} now, peak ${pct(h?.peak ?? now)}, ${h?.minutesAbove ?? 0} min above ${pct(t)}` +
          (errorSeverity === "resolved" && h?.lastAbove ? ` (last ${h.lastAbove.slice(11, 16)} UTC)` : "")
      )
    }
    if (spike) {
      parts.push(
        `p99 peaked at ${spike.peakMs} ms (${(spike.peakMs / spike.medianMs).toFixed(1)}× median) at ${spike.peakAt.slice(11, 16)} UTC, ${spike.currentMs} ms now`
      )
    }
    return {
      service,
      severity,
      kind,
      errorRate: now,
      peakErrorRate: h?.peak ?? now,
      minutesAbove: h?.minutesAbove ?? 0,
      latency: spike,
      summary: parts.join("; ") || `error rate ${pct(now)}`
    } satisfies Finding
  })
}

const runbookTopics: Record<Finding["kind"], string> = {
  errors: "retry backoff circuit breaker semantics",
  latency: "timeout hedge latency",
  none: "getting started"
}

/** The flaky health check behind timeout (per attempt), retry, and a circuit breaker (per workflow). */
export const makeHealthCheck = (
  options: HealthCheckOptions = {}
): CircuitBreaker.CircuitBreaker<Finding, Health, AgentError | TimeoutError, AgentContext> =>
  agentStep<Finding, Health>("health-check", "health-check.ts", {
    input: (f, ctx) => ({
      key: `${ctx.workflowId}/${f.service}`,
      service: f.service,
      ...(options.failFirst === undefined ? {} : { failFirst: options.failFirst }),
      ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs })
    }),
    summary: (h) =>
      `${h.service} ${h.healthy ? "healthy" : "unhealthy"} (error rate ${h.errorRate === null ? "?" : pct(h.errorRate)}) on attempt ${h.attempt}`
  }).pipe(
    timeout(options.timeout ?? "10 seconds"),
    retry({ times: options.retries ?? 3, backoff: { base: "50 millis", max: "1 second" } }),
    circuitBreaker({
      failureThreshold: options.failureThreshold ?? 3,
      resetAfter: options.resetAfter ?? "30 seconds",
      name: "health-breaker"
    })
  )

/** Builds the workflow. Its cache and circuit breaker live as long as the returned value. */
export interface Triage {
  readonly workflow: Primitive.Primitive<TriageRequest, TriageResult, TriageError, AgentContext | McpHub>
  /** The health check's breaker: its state outlives runs. */
  readonly healthCheck: CircuitBreaker.CircuitBreaker<
    Finding,
    Health,
    AgentError | TimeoutError,
    AgentContext
  >
  /** The cached docs lookup. */
  readonly runbook: Cache.Cached<Finding, Runbook, AgentError, AgentContext>
}

export const makeTriage = (config: TriageConfig): Triage => {
  // --- checks, in parallel, each in the sandbox ---------------------------------------------
  const current = agentStep<TriageRequest, Record<string, number>>("current-errors", "current-errors.ts", {
    summary: (rates) => {
      const hot = Object.entries(rates).filter(([, r]) => r > defaultRequest.threshold)
      return `${Object.keys(rates).length} services; above 5% now: ${hot.map(([s, r]) => `${s} ${pct(r)}`).join(", ") || "none"}`
    }
  })

  const historySummary = (h: HistoryScan) =>
    `${h.points.toLocaleString("en-US")} points reduced in the sandbox; peaked above 5%: ${
      h.services
        .filter((s) => s.peak > defaultRequest.threshold)
        .map((s) => s.service)
        .join(", ") || "none"
    }`

  const discover = step("discover-api", (request: TriageRequest) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const codeMode = yield* CodeMode.CodeMode
      const hits = yield* codeMode.searchTools("error rate over a time range", { detail: "full", limit: 1 })
      yield* emit(
        ctx,
        "discover-api",
        "info",
        `search_tools → ${hits.map((h) => h.path).join(", ")} (read in full)`
      )
      return request
    })
  )
  // The first time, the agent's code is the function plus a call to it; once it worked, it is saved.
  const scanAndSave = agentStep<TriageRequest, HistoryScan>("scan-error-history", "error-history.ts", {
    code: (request) =>
      `${Agent.source("error-history.ts")}\nexport default await scanErrorHistory(${JSON.stringify(request)})\n`,
    summary: historySummary
  }).pipe(
    tap(() =>
      Effect.gen(function* () {
        const ctx = yield* WorkflowContext
        const codeMode = yield* CodeMode.CodeMode
        const saved = yield* codeMode.saveSkill({
          name: SKILL,
          description:
            "Error-rate history of every service over a window: peak, minutes above a threshold, last time above",
          code: Agent.asSkill(Agent.source("error-history.ts")),
          tags: ["metrics", "errors", "triage"]
        })
        yield* emit(
          ctx,
          "save-skill",
          "info",
          `saved skill ${saved.name} v${saved.version} (skills/${saved.name}/index.ts)`
        )
      })
    )
  )
  const readSkill = step("read-skill", (request: TriageRequest) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const codeMode = yield* CodeMode.CodeMode
      const doc = yield* codeMode.readApi(`skills/${SKILL}/SKILL.md`)
      yield* emit(ctx, "read-skill", "info", `skills/${SKILL}/SKILL.md (${doc.length} chars) → reuse it`)
      return request
    })
  )
  const viaSkill = agentStep<TriageRequest, HistoryScan>("error-history-via-skill", "use-skill.ts", {
    input: (request) => request,
    summary: historySummary
  })
  const hasSkill = (_: TriageRequest) =>
    Effect.map(
      CodeMode.CodeMode.use((codeMode) => codeMode.listSkills("error history")),
      (skills) => skills.some((s) => s.name === SKILL)
    )
  const history = branch(hasSkill, sequence(readSkill, viaSkill), sequence(discover, scanAndSave), {
    name: "saved skill?"
  })

  const latency = agentStep<TriageRequest, LatencyScan>("latency", "latency.ts", {
    input: (request) => ({ window: request.window, step: request.step, factor: 2 }),
    summary: (l) =>
      `${l.points.toLocaleString("en-US")} points reduced in the sandbox; p99 spikes: ${l.spikes.map((s) => s.service).join(", ") || "none"}`
  })

  const checks = parallel({ current, history, latency }, { name: "checks" })

  const assessStep = step("assess-severity", (c: Checks) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const findings = assess(c)
      const by = (s: Severity) =>
        findings
          .filter((f) => f.severity === s)
          .map((f) => f.service)
          .join(", ") || "none"
      yield* emit(
        ctx,
        "assess-severity",
        "info",
        `critical: ${by("critical")} · warning: ${by("warning")} · resolved: ${by("resolved")}`
      )
      return findings
    })
  )

  // --- respond per service, routed by severity -------------------------------------------------
  const healthCheck = makeHealthCheck(config.healthCheck)
  const runbook = agentStep<Finding, Runbook>("runbook-lookup", "runbook.ts", {
    input: (f) => ({ query: runbookTopics[f.kind] }),
    summary: (r, f) => `${f.kind} runbook: ${r.id} § ${r.section || "(top)"}`
  }).pipe(cache({ key: (f) => f.kind, ttl: "1 hour", capacity: 16, name: "cached-runbook" }))
  const itself = lift("finding", (f: Finding) => f)

  const critical = parallel(
    { finding: itself, health: healthCheck, runbook },
    { name: "confirm + runbook" }
  ).pipe(
    map(
      ({ finding, health, runbook }): Response => ({
        service: finding.service,
        severity: finding.severity,
        summary: finding.summary,
        action: `page on-call; health check on attempt ${health.attempt}: ${health.healthy ? "healthy" : "unhealthy"}`,
        health,
        runbook
      })
    )
  )
  const warning = parallel({ finding: itself, runbook }, { name: "runbook only" }).pipe(
    map(
      ({ finding, runbook }): Response => ({
        service: finding.service,
        severity: finding.severity,
        summary: finding.summary,
        action: "watch; runbook attached",
        runbook
      })
    )
  )
  const resolved = lift(
    "note-recovery",
    (f: Finding): Response => ({
      service: f.service,
      severity: f.severity,
      summary: f.summary,
      action: "none: recovered"
    })
  )
  const ok = lift(
    "no-action",
    (f: Finding): Response => ({
      service: f.service,
      severity: f.severity,
      summary: f.summary,
      action: "none"
    })
  )
  const respond = forEach(
    route((f: Finding) => f.severity, { critical, warning, resolved, ok }, undefined, {
      name: "by severity"
    }),
    {
      concurrency: 4,
      name: "respond"
    }
  )

  // --- the saga: report, entities, page ------------------------------------------------------
  const undoReport = (written: ReportWritten) =>
    Effect.gen(function* () {
      const hub = yield* McpHub
      const ctx = yield* WorkflowContext
      const dir = `${config.reportDir}/rolled-back`
      yield* hub.callTool("filesystem", "create_directory", { path: dir })
      const to = `${dir}/${written.report.path.split("/").pop()}`
      yield* hub.callTool("filesystem", "move_file", { source: written.report.path, destination: to })
      yield* emit(ctx, "undo write-report", "compensated", `moved the report to ${to}`, 0, 2)
    })
  const undoEntities = (recorded: Recorded) =>
    Effect.gen(function* () {
      const hub = yield* McpHub
      const ctx = yield* WorkflowContext
      yield* hub.callTool("memory", "delete_entities", { entityNames: [...recorded.entities.created] })
      yield* emit(
        ctx,
        "undo record-entities",
        "compensated",
        `deleted ${recorded.entities.created.join(", ")}`,
        0,
        1
      )
    })

  const writeReport = agentStep<ReadonlyArray<Response>, { path: string; bytes: number }, ReportWritten>(
    "write-report",
    "write-report.ts",
    {
      input: (responses, ctx) => ({
        dir: config.reportDir,
        runId: ctx.workflowId,
        responses: responses.map((r) => ({
          service: r.service,
          severity: r.severity,
          summary: r.summary,
          action: r.action,
          ...(r.runbook
            ? { runbook: { id: r.runbook.id, section: r.runbook.section, excerpt: r.runbook.excerpt } }
            : {})
        }))
      }),
      summary: (w) => `${w.path} (${w.bytes} bytes)`,
      result: (report, responses) => ({ responses, report })
    }
  ).pipe(compensate(undoReport))

  const notable = (rs: ReadonlyArray<Response>) => rs.filter((r) => r.severity !== "ok")
  const recordEntities = agentStep<ReportWritten, { created: Array<string>; relations: number }, Recorded>(
    "record-entities",
    "record-entities.ts",
    {
      input: (w, ctx) => ({
        incident: `incident-${ctx.workflowId}`,
        report: w.report.path,
        services: notable(w.responses).map((r) => ({
          name: r.service,
          severity: r.severity,
          summary: r.summary
        }))
      }),
      summary: (e) => `created ${e.created.join(", ")}; ${e.relations} relations`,
      result: (entities, w, ctx) => ({ ...w, incident: `incident-${ctx.workflowId}`, entities })
    }
  ).pipe(compensate(undoEntities))

  const names = (rs: ReadonlyArray<Response>, s: Severity) =>
    rs.filter((r) => r.severity === s).map((r) => r.service)
  const notify = agentStep<Recorded, { sent: boolean }, TriageResult>("page-on-call", "notify.ts", {
    input: (r, ctx) => ({
      incident: r.incident,
      critical: names(r.responses, "critical"),
      report: r.report.path,
      simulateOutage: ctx.metadata.inject === "notify"
    }),
    summary: () => "paged through server-everything's echo",
    result: (sent, r) => ({
      ...r,
      critical: names(r.responses, "critical"),
      warning: names(r.responses, "warning"),
      resolved: names(r.responses, "resolved"),
      paged: sent.sent
    })
  })

  const record = saga(writeReport, recordEntities, notify)

  const workflow = sequence(checks, assessStep, respond, record).pipe(withName("incident-triage"))

  return { workflow, healthCheck, runbook }
}
