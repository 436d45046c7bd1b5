/**
 * One durable step: `activity` runs an effect as an effect/workflow `Activity` (its result journaled
 * as JSON through a Schema, its `DurableContext` provided), plus what every compiler module shares.
 */
import { createHash } from "node:crypto"
import { Context, Effect, Schema } from "effect"
import * as Activity from "effect/workflow/Activity"
import * as WorkflowEngine from "effect/workflow/WorkflowEngine"
import { DurableContext, type DurableContextShape } from "./DurableContext.ts"
import { NonJsonOutputError } from "./Errors.ts"
import { errorToJson, toJson, whyNotJson } from "./Json.ts"

/** A compiled node: input to the effect that runs it inside a workflow execution. */
export type Compiled = (input: unknown) => Effect.Effect<unknown, unknown, any>

export interface Definition {
  readonly workflow: string
  readonly version: string
}

/** `[i]` per enclosing `forEach` item, appended to activity names at run time. */
export const ItemSuffix = Context.Reference<string>("@tta/durable/Compile/ItemSuffix", {
  defaultValue: () => ""
})

/**
 * The value `Activity.idempotencyKey(name)` gives (SHA-256 of `<executionId>-<name>`, 32 hex digits),
 * computed synchronously: the WebCrypto digest behind that function is asynchronous, and its event
 * loop turn was a measurable part of every activity.
 */
export const keyOf = (executionId: string, name: string): string =>
  createHash("sha256").update(`${executionId}-${name}`).digest("hex").slice(0, 32)

/** Runs `run` as the activity `name`, its result kept through `schema` (JSON by default). */
export const activity = (
  def: Definition,
  name: string,
  run: Effect.Effect<unknown, unknown, any>,
  schema: Schema.Codec<any, any> = Schema.Json
): Effect.Effect<unknown, unknown, any> =>
  Activity.make({
    name,
    success: schema,
    error: Schema.Json,
    // Read synchronously from the fiber (no generator per activity); the idempotency key is a
    // SHA-256, computed only when a step asks for it.
    execute: Effect.withFiber((fiber): Effect.Effect<any, any, any> => {
      const executionId = Context.get(
        fiber.context as Context.Context<WorkflowEngine.WorkflowInstance>,
        WorkflowEngine.WorkflowInstance
      ).executionId
      let key: string | undefined
      const context: DurableContextShape = {
        executionId,
        workflow: def.workflow,
        version: def.version,
        step: name,
        attempt: fiber.getRef(Activity.CurrentAttempt),
        get idempotencyKey() {
          key ??= keyOf(executionId, name)
          return key
        }
      }
      return run.pipe(
        Effect.provideService(DurableContext, context),
        Effect.mapError(errorToJson),
        Effect.flatMap((output) => {
          if (schema !== Schema.Json) return Effect.succeed(output)
          const why = whyNotJson(output)
          return why === undefined
            ? Effect.succeed(toJson(output))
            : Effect.fail(
                errorToJson(
                  new NonJsonOutputError({
                    workflow: def.workflow,
                    step: name,
                    message: `step ${name} of workflow ${def.workflow} returned a value that is not JSON (${why}); give the step a Schema with Durable.withSchema`
                  })
                )
              )
        })
      )
    })
  })
