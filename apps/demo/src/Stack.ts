/**
 * The demo's code-mode stack over its real servers: @tta/code-mode's `Stack.layer`, which also
 * provides the McpHub — the workflow's compensations call tools directly (undoing is the
 * orchestrator's job, not the agent's).
 */
import { type CodeMode, type Policy, Stack } from "@tta/code-mode"
import { McpConfig, type McpConfigError, type McpHub } from "@tta/mcp"
import type { MissingPeerDependency, SandboxUnavailable } from "@tta/sandbox"
import type { SkillStoreError } from "@tta/skills"
import { Effect, Layer } from "effect"
import { mcpServers, type RunDirs, type ServerName } from "./Servers.ts"

export interface StackOptions {
  /** Only these servers (all five by default). */
  readonly servers?: ReadonlyArray<ServerName> | undefined
  /** Type-check agent code before running it (default: when TypeScript 5.9+ is installed, as the gateway does). */
  readonly typeCheck?: boolean | undefined
}

export type DemoServices = CodeMode.CodeMode | McpHub

/** CodeMode and McpHub over the demo's servers, skills and workspace under `dirs.session`. */
export const layer = (
  dirs: RunDirs,
  options: StackOptions = {}
): Layer.Layer<
  Stack.Services,
  McpConfigError | Policy.PolicyConfigError | SandboxUnavailable | SkillStoreError | MissingPeerDependency
> =>
  Layer.unwrap(
    Effect.map(McpConfig.decode({ mcpServers: mcpServers(dirs, options.servers) }), (config) =>
      Stack.layer(config, { dir: dirs.session, typeCheck: options.typeCheck })
    )
  )
