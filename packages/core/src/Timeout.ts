/**
 * `timeout(duration)`: interrupts the inner work when it runs past `duration` and fails with a
 * typed `TimeoutError` naming the primitive and the limit.
 */
import { Duration, Effect, Option } from "effect"
import { dual } from "effect/Function"
import { InvalidOptionError, TimeoutError } from "./Errors.ts"
import { annotateSpan, isPrimitive, make, type Primitive } from "./Primitive.ts"
import { withSpec } from "./Spec.ts"

export const timeout: {
  (
    duration: Duration.Input,
    options?: { readonly name?: string | undefined }
  ): <In, Out, E, R>(self: Primitive<In, Out, E, R>) => Primitive<In, Out, E | TimeoutError, R>
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    duration: Duration.Input,
    options?: { readonly name?: string | undefined }
  ): Primitive<In, Out, E | TimeoutError, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(
    self: Primitive<In, Out, E, R>,
    duration: Duration.Input,
    options?: { readonly name?: string | undefined }
  ): Primitive<In, Out, E | TimeoutError, R> => {
    const name = options?.name ?? `timeout(${self.name})`
    const limit = Option.getOrUndefined(Duration.fromInput(duration))
    if (limit === undefined || Duration.toMillis(limit) < 0) {
      throw new InvalidOptionError({
        primitive: name,
        option: "duration",
        message: `${name}: duration must be a non-negative Duration, got ${String(duration)}`
      })
    }
    const millis = Duration.toMillis(limit)
    const text = Duration.format(limit)
    const onTimeout = () =>
      Effect.andThen(
        annotateSpan({ "tta.timeout.expired": true }),
        Effect.fail(
          new TimeoutError({
            primitive: name,
            timeoutMillis: millis,
            message: `${self.name} timed out after ${text} (in ${name})`
          })
        )
      )
    const built = make({
      name,
      kind: "timeout",
      children: [self],
      meta: { duration: text },
      run: (input: In) => Effect.timeoutOrElse(self.run(input), { duration: limit, orElse: onTimeout })
    })
    return withSpec(built, { kind: "timeout", duration: limit })
  }
)
