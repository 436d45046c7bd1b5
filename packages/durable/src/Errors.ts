/**
 * Typed errors of @tta/durable. Each message names what was wrong so a person can act on it.
 */
import { Schema } from "effect"

/** Two leaf steps of one workflow have the same path of step names (thrown by `Durable.workflow`). */
export class DuplicateStepPathError extends Schema.TaggedError<DuplicateStepPathError>()(
  "DuplicateStepPathError",
  {
    workflow: Schema.String,
    path: Schema.String,
    message: Schema.String
  }
) {}

/** A primitive tree uses something that cannot run durably (thrown by `Durable.workflow`). */
export class UnsupportedStepError extends Schema.TaggedError<UnsupportedStepError>()("UnsupportedStepError", {
  workflow: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/** A step returned a value that cannot be kept as JSON (a function, a cycle, a BigInt, a class instance...). */
export class NonJsonOutputError extends Schema.TaggedError<NonJsonOutputError>()("NonJsonOutputError", {
  workflow: Schema.String,
  step: Schema.String,
  message: Schema.String
}) {}

/** An execution started on one version of a workflow met a runner with another. */
export class VersionMismatchError extends Schema.TaggedError<VersionMismatchError>()("VersionMismatchError", {
  workflow: Schema.String,
  executionId: Schema.String,
  startedOn: Schema.String,
  current: Schema.String,
  message: Schema.String
}) {}

/** No execution with this id is in the store. */
export class UnknownExecutionError extends Schema.TaggedError<UnknownExecutionError>()(
  "UnknownExecutionError",
  {
    executionId: Schema.String,
    message: Schema.String
  }
) {}

/** The execution is not waiting on (and never asked for) this approval or signal, or it was already given. */
export class UnknownWaitError extends Schema.TaggedError<UnknownWaitError>()("UnknownWaitError", {
  executionId: Schema.String,
  kind: Schema.Literals(["approval", "signal"]),
  name: Schema.String,
  message: Schema.String
}) {}

/** A person rejected an approval; the workflow fails with this (so a saga compensates). */
export class ApprovalRejectedError extends Schema.TaggedError<ApprovalRejectedError>()(
  "ApprovalRejectedError",
  {
    approval: Schema.String,
    by: Schema.String,
    reason: Schema.optional(Schema.String),
    message: Schema.String
  }
) {}

/** An execution failed; `error` is its typed failure as JSON (`_tag` and fields kept). */
export class WorkflowFailedError extends Schema.TaggedError<WorkflowFailedError>()("WorkflowFailedError", {
  workflow: Schema.String,
  executionId: Schema.String,
  error: Schema.Json,
  message: Schema.String
}) {}

/** Another process is already the runner of this embedded store. */
export class StoreLockedError extends Schema.TaggedError<StoreLockedError>()("StoreLockedError", {
  path: Schema.String,
  pid: Schema.Number,
  message: Schema.String
}) {}

/** The PostgreSQL server could not be reached (never includes the password). */
export class DatabaseUnreachableError extends Schema.TaggedError<DatabaseUnreachableError>()(
  "DatabaseUnreachableError",
  {
    host: Schema.String,
    port: Schema.Number,
    database: Schema.String,
    message: Schema.String
  }
) {}

/** The store failed in another way (a corrupt file, a permission, a failed query). */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  store: Schema.String,
  message: Schema.String
}) {}
