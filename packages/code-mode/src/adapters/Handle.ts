/**
 * A code-mode session for code that works with Promises (agent SDKs): the CodeMode service and the
 * runtime its Effects run on, built from a layer once. `open` starts the whole stack from a config
 * file; `fromRuntime` wraps a runtime you built yourself (e.g. with your own tracer).
 */
import type { McpConfig } from "@tta/mcp"
import { Effect, ManagedRuntime } from "effect"
import { CodeMode } from "../CodeMode.ts"
import * as Stack from "../Stack.ts"

export interface Handle {
  readonly codeMode: CodeMode["Service"]
  /** Runs one of the session's Effects on the session's runtime (its tracer, logger, scope). */
  readonly run: <A, E>(effect: Effect.Effect<A, E>, options?: { readonly signal?: AbortSignal }) => Promise<A>
  /** Stops the downstream servers and releases the sandbox: call it when done. */
  readonly close: () => Promise<void>
}

/** A handle over a runtime that provides CodeMode (`close` disposes the runtime). */
export const fromRuntime = async <E>(
  runtime: ManagedRuntime.ManagedRuntime<CodeMode, E>
): Promise<Handle> => {
  const codeMode = await runtime.runPromise(Effect.service(CodeMode))
  return {
    codeMode,
    run: (effect, options) => runtime.runPromise(effect, options),
    close: () => runtime.dispose()
  }
}

/**
 * Starts a session: the servers of a `.mcp.json` (a path, or a decoded config) behind the generated
 * API, the isolate sandbox and a skill store in `options.dir`.
 */
export const open = (config: string | McpConfig.McpConfig, options: Stack.StackOptions): Promise<Handle> =>
  fromRuntime(
    ManagedRuntime.make(
      typeof config === "string" ? Stack.layerFile(config, options) : Stack.layer(config, options)
    )
  )
