import { Effect, type Layer, Schema } from "effect"
import { register } from "../../Backend.ts"
import type { SandboxUnavailable } from "../../Errors.ts"
import * as OptionalPeer from "../../OptionalPeer.ts"
import { Sandbox } from "../../Sandbox.ts"
import { peerCheck } from "../peerCheck.ts"
import type { Options } from "./E2b.ts"

export type { E2bCommandHandle, E2bSandboxLike, Options } from "./E2b.ts"

/** What a config file may set (`{ "backend": "e2b", ... }`); `create` and `limits` are for code. */
export const ConfigOptions = Schema.Struct({
  apiKey: Schema.optionalKey(Schema.String),
  sandboxTimeoutMs: Schema.optionalKey(Schema.Number),
  node: Schema.optionalKey(Schema.String),
  workdir: Schema.optionalKey(Schema.String)
})

/** `e2b`: a runner process per execution in one E2B cloud sandbox; the SDK loads on first use. */
register<Options>({
  name: "e2b",
  options: ConfigOptions,
  make: (options) =>
    // A `create` of the caller's own needs no SDK (tests, a wrapped client).
    (options.create === undefined ? peerCheck("e2b", OptionalPeer.e2b) : Effect.void).pipe(
      Effect.andThen(Effect.promise(() => import("./E2b.ts"))),
      Effect.flatMap((m) => m.backend(options))
    )
})

/** A runner process per execution inside one E2B cloud sandbox (created on first use, killed with the layer). */
export const layer = (options: Options = {}): Layer.Layer<Sandbox, SandboxUnavailable> =>
  Sandbox.layerFor({ backend: "e2b", ...options }, options.limits)
