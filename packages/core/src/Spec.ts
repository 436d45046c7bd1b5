/**
 * What a combinator was built from (its functions and options, not plain data), for compilers that
 * re-express a primitive tree on another runtime, such as @tta/durable. `meta` stays the plain-data
 * view for `describe`; the spec is what a compiler needs to keep the same semantics.
 */
import type { Duration, Effect, Schedule } from "effect"
import type { Any } from "./Primitive.ts"

export const SpecId = "~@tta/core/Spec" as const

export type Spec =
  | {
      readonly kind: "retry"
      readonly times: number | undefined
      readonly schedule: Schedule.Schedule<unknown, any> | undefined
      readonly while: ((error: any) => boolean) | undefined
    }
  | { readonly kind: "timeout"; readonly duration: Duration.Duration }
  | {
      readonly kind: "branch"
      readonly predicate: (input: any) => boolean | Effect.Effect<boolean, any, any>
    }
  | {
      readonly kind: "route"
      readonly select: (input: any) => string | Effect.Effect<string, any, any>
      readonly routes: Readonly<Record<string, Any>>
      readonly fallback: Any | undefined
    }
  | { readonly kind: "map"; readonly f: (output: any) => unknown }
  | { readonly kind: "tap"; readonly f: (output: any) => Effect.Effect<unknown, any, any> }

/** Attaches `spec` to `self` (kept by `withName`, which copies own properties). */
export const withSpec = <P extends Any>(self: P, spec: Spec): P =>
  Object.defineProperty(self, SpecId, { value: spec, enumerable: false })

/** The spec a built-in combinator attached, if any. */
export const specOf = (self: Any): Spec | undefined =>
  (self as unknown as Record<string, Spec | undefined>)[SpecId]
