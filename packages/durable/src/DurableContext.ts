/**
 * What a step running inside a durable workflow knows about where it runs. The idempotency key is
 * stable across crashes and replays of the same activity: hand it to the external calls a step
 * makes (payment APIs, ticket systems) so a step that runs again after a crash does not act twice.
 */
import { Context, Effect, type Option } from "effect"

export interface DurableContextShape {
  /** The execution (one run of a workflow for one input). */
  readonly executionId: string
  readonly workflow: string
  readonly version: string
  /** The step's path of names in the tree, e.g. `triage/notify`. */
  readonly step: string
  /** 1 for the first attempt; a `retry` makes more. */
  readonly attempt: number
  /** Stable for this execution and step (not the attempt): a 32-hex-digit SHA-256 prefix. */
  readonly idempotencyKey: string
}

export class DurableContext extends Context.Service<DurableContext, DurableContextShape>()(
  "@tta/durable/DurableContext"
) {}

/** The durable context when the step runs inside a durable workflow (none when run in memory). */
export const current: Effect.Effect<Option.Option<DurableContextShape>> = Effect.serviceOption(DurableContext)
