/**
 * What `DurableClient` reports about executions (one Schema per fact, so the CLI can print JSON and
 * derive a JSON Schema from it).
 */
import { Schema } from "effect"

export const Status = Schema.Literals(["running", "waiting", "succeeded", "failed", "cancelled"])
export type Status = typeof Status.Type

/** Something an execution waits on: an approval, a signal or a clock. */
export const Wait = Schema.Struct({
  kind: Schema.Literals(["approval", "signal", "sleep"]),
  name: Schema.String,
  /** Epoch millis the wait began (approval/signal) or ends (sleep). */
  since: Schema.optional(Schema.Number),
  until: Schema.optional(Schema.Number),
  /** What it is for (the step's `details`, e.g. the call an approval would allow). */
  details: Schema.optional(Schema.Json)
})
export type Wait = typeof Wait.Type

export const ExecutionSummary = Schema.Struct({
  id: Schema.String,
  workflow: Schema.String,
  version: Schema.String,
  status: Status,
  startedAt: Schema.Number,
  finishedAt: Schema.optional(Schema.Number),
  waitingOn: Schema.Array(Wait)
})
export type ExecutionSummary = typeof ExecutionSummary.Type

/** One activity attempt in the journal. */
export const ActivityEntry = Schema.Struct({
  name: Schema.String,
  attempt: Schema.Number,
  kind: Schema.Literals(["step", "compensation", "wait", "clock", "internal"]),
  status: Schema.Literals(["running", "succeeded", "failed"]),
  startedAt: Schema.Number,
  finishedAt: Schema.optional(Schema.Number),
  result: Schema.optional(Schema.Json),
  error: Schema.optional(Schema.Json)
})
export type ActivityEntry = typeof ActivityEntry.Type

/** An approval or a signal: when it was asked for and what answered it (who, when, value). */
export const Resolution = Schema.Struct({
  kind: Schema.Literals(["approval", "signal"]),
  name: Schema.String,
  requestedAt: Schema.optional(Schema.Number),
  /** What it was for (the step's `details`). */
  details: Schema.optional(Schema.Json),
  resolvedAt: Schema.optional(Schema.Number),
  approved: Schema.optional(Schema.Boolean),
  by: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  value: Schema.optional(Schema.Json)
})
export type Resolution = typeof Resolution.Type

export const ExecutionDetail = Schema.Struct({
  ...ExecutionSummary.fields,
  input: Schema.Json,
  result: Schema.optional(Schema.Json),
  error: Schema.optional(Schema.Json),
  activities: Schema.Array(ActivityEntry),
  waits: Schema.Array(Resolution),
  cancelRequested: Schema.Boolean
})
export type ExecutionDetail = typeof ExecutionDetail.Type
