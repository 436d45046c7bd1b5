/**
 * The triage for a group of runner processes on one PostgreSQL (`pnpm demo --runners 3`): the
 * module runner.ts (or `tta workflows runner --workflows <this file>` run from the sources) loads. It exports the definitions
 * (`workflows`) and what their steps need (`layer`): this runner's own MCP servers and code-mode
 * session, and progress lines on stdout (`EVENT {…, pid}`) for the demo to show who ran what.
 *
 * TTA_DEMO_DIR: the demo's directory; reports go to its `files/reports`, each runner keeps its
 * memory graph and skills under `runner-<pid>/`.
 */
import { join } from "node:path"
import { lift, sequence } from "@tta/core"
import { Durable } from "@tta/durable"
import { Effect, Layer, Schema } from "effect"
import { TriageRequestSchema } from "../DurableRun.ts"
import { Progress } from "../Progress.ts"
import { makeDirs, type RunDirs } from "../Servers.ts"
import * as Stack from "../Stack.ts"
import { makeTriage, type TriageRequest, type TriageResult } from "../Triage.ts"

const root = process.env.TTA_DEMO_DIR ?? "."

/**
 * One triage run: the request and the run's id (its idempotency key). Each execution's steps see
 * their own WorkflowContext, whose `workflowId` is the execution id (@tta/durable's default).
 */
export const TriageRun = Schema.Struct({ ...TriageRequestSchema.fields, runId: Schema.String })
export type TriageRun = typeof TriageRun.Type

const triage = makeTriage({ reportDir: join(root, "files", "reports") })

export const flow: Durable.DurableWorkflow<TriageRun, TriageResult, any> = Durable.workflow(
  "incident-triage",
  // The run id only names the execution: the triage itself gets the request.
  sequence(
    lift("request", ({ runId: _, ...request }: TriageRun): TriageRequest => request),
    triage.workflow
  ),
  { input: TriageRun, idempotencyKey: (input) => input.runId }
)

export const workflows = [flow]

const dirs = (): RunDirs => makeDirs(join(root, `runner-${process.pid}`), join(root, "files"))

export const layer: Layer.Layer<any, any, never> = Layer.unwrap(
  Effect.sync(() =>
    Layer.mergeAll(
      Stack.layer(dirs()),
      Progress.layer((e) => process.stdout.write(`EVENT ${JSON.stringify({ ...e, pid: process.pid })}\n`))
    )
  )
)
