/**
 * Steps that only make sense durably: `sleep`, `approval`, `signal`; and `withSchema`, a step's own
 * output Schema. They are ordinary @tta/core primitives (kinds `durable.*`), so they compose with
 * everything else; the compiler gives them their durable meaning. Run in memory (without
 * `Durable.workflow`), `sleep` sleeps and `approval`/`signal` fail with `NotDurableError`.
 */
import { Primitive } from "@tta/core"
import { Duration, Effect, Schema } from "effect"

export const SchemaId = "~@tta/durable/Steps/schema" as const

export class NotDurableError extends Schema.TaggedError<NotDurableError>()("NotDurableError", {
  step: Schema.String,
  message: Schema.String
}) {}

/** What a person's decision carries (the journal keeps it: who and when). */
export const Decision = Schema.Struct({
  approved: Schema.Boolean,
  by: Schema.String,
  at: Schema.Number,
  reason: Schema.optional(Schema.String),
  value: Schema.optional(Schema.Json)
})
export type Decision = typeof Decision.Type

/** The output of an approved approval. */
export interface Approved<V = unknown> {
  readonly approved: true
  readonly by: string
  readonly at: number
  readonly value: V | undefined
}

export interface WaitSpec {
  readonly kind: "approval" | "signal"
  readonly name: string
  readonly schema: Schema.Codec<any, any>
  /** What the wait is for, from the step's input: journaled as JSON when the wait begins. */
  readonly details?: ((input: any) => unknown) | undefined
}

export const WaitId = "~@tta/durable/Steps/wait" as const
export const SleepId = "~@tta/durable/Steps/sleep" as const

const notDurable = (kind: string, name: string) =>
  Effect.fail(
    new NotDurableError({
      step: name,
      message: `${kind} ${JSON.stringify(name)} only runs inside a durable workflow (Durable.workflow)`
    })
  )

/** Waits `duration` durably (a restart does not restart the wait); passes its input on. */
export const sleep = <In = unknown>(name: string, duration: Duration.Input): Primitive.Primitive<In, In> => {
  const d = Duration.fromInputUnsafe(duration)
  const p = Primitive.make({
    name,
    kind: "durable.sleep",
    meta: { duration: Duration.format(d) },
    run: (input: In) => Effect.as(Effect.sleep(d), input)
  })
  return Object.assign(p, { [SleepId]: d })
}

/**
 * Suspends until a person approves or rejects (from any process: `DurableClient.approve`). Approved:
 * the output is `{ approved: true, by, at, value }`; rejected: fails with `ApprovalRejectedError`.
 * `details(input)`: what the approver is asked (JSON), shown with the wait by `DurableClient`
 * (`waitingOn[].details`, `waits[].details`) and `tta workflows ls|show`.
 */
export const approval = <V = unknown, In = unknown>(
  name: string,
  options?: {
    readonly value?: Schema.Codec<V, any> | undefined
    readonly details?: ((input: In) => unknown) | undefined
  }
): Primitive.Primitive<In, Approved<V>, NotDurableError> => {
  const p = Primitive.make({ name, kind: "durable.approval", run: () => notDurable("approval", name) })
  return Object.assign(p, {
    [WaitId]: {
      kind: "approval",
      name,
      schema: options?.value ?? Schema.Json,
      details: options?.details
    } satisfies WaitSpec
  })
}

/**
 * Suspends until an outside event delivers a value (`DurableClient.signal`); outputs that value.
 * `details(input)`: what the signal is awaited for (JSON), shown with the wait like an approval's.
 */
export const signal = <A, In = unknown>(
  name: string,
  schema: Schema.Codec<A, any>,
  options?: { readonly details?: ((input: In) => unknown) | undefined }
): Primitive.Primitive<In, A, NotDurableError> => {
  const p = Primitive.make({ name, kind: "durable.signal", run: () => notDurable("signal", name) })
  return Object.assign(p, {
    [WaitId]: { kind: "signal", name, schema, details: options?.details } satisfies WaitSpec
  })
}

/** Gives a step its own output Schema (the journal keeps the encoded form; replays decode it). */
export const withSchema = <In, Out, E, R>(
  self: Primitive.Primitive<In, Out, E, R>,
  schema: Schema.Codec<Out, any>
): Primitive.Primitive<In, Out, E, R> =>
  Object.defineProperty(Object.create(self), SchemaId, { value: schema, enumerable: false })

export const waitOf = (p: Primitive.Any): WaitSpec | undefined =>
  (p as unknown as Record<string, WaitSpec | undefined>)[WaitId]
export const sleepOf = (p: Primitive.Any): Duration.Duration | undefined =>
  (p as unknown as Record<string, Duration.Duration | undefined>)[SleepId]
export const schemaOf = (p: Primitive.Any): Schema.Codec<any, any> | undefined =>
  (p as unknown as Record<string, Schema.Codec<any, any> | undefined>)[SchemaId]
