/**
 * The triage's saga: write the report (filesystem), record the entities (memory), page on-call
 * (everything). If a later step fails, the earlier ones are undone in reverse: the report moves to
 * `rolled-back/`, the entities are deleted.
 */

import { compensate, type Primitive, type SagaError, saga, WorkflowContext } from "@tta/core"
import { McpHub } from "@tta/mcp"
import { Effect } from "effect"
import { type AgentContext, type AgentStepOptions, agentStep } from "../AgentStep.ts"
import { approvedAgentStep } from "../ApprovedStep.ts"
import { emit } from "../Progress.ts"
import type { Severity } from "./Assess.ts"
import type { Response } from "./Respond.ts"

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

export interface SagaConfig {
  /** Where reports go: a directory the filesystem server may write to. */
  readonly reportDir: string
  /** Page on-call in a step whose `approve` calls wait on a person (durable runs only). */
  readonly approvals?: boolean | undefined
}

export const makeSaga = (
  config: SagaConfig
): Primitive.Primitive<ReadonlyArray<Response>, TriageResult, SagaError, AgentContext | McpHub> => {
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
  const notifyOptions: AgentStepOptions<Recorded, { sent: boolean }, TriageResult> = {
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
  }
  // Durably, paging can wait for a person: its code runs in a step the engine walks (ApprovedStep).
  const notify = config.approvals
    ? approvedAgentStep("page-on-call", "notify.ts", notifyOptions)
    : agentStep("page-on-call", "notify.ts", notifyOptions)

  return saga(writeReport, recordEntities, notify)
}
