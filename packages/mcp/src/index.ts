export * as Callers from "./Callers.ts"
export type { Catalog as ToolCatalog, CatalogServer, CatalogTool } from "./Catalog.ts"
export * as Catalog from "./Catalog.ts"
export * as Errors from "./Errors.ts"
export {
  ConnectError,
  InvalidToolArguments,
  McpConfigError,
  ProtocolError,
  RequestError,
  ResultTooLarge,
  ServerCrashed,
  ServerNotFound,
  ServersUnavailable,
  ServerUnavailable,
  ToolError,
  ToolNotFound,
  ToolTimeout
} from "./Errors.ts"
export * as McpConfig from "./McpConfig.ts"
export {
  type CallOptions,
  McpHub,
  type Options as McpHubOptions,
  type ServerHealth,
  type ServerStatus,
  type Service as McpHubService
} from "./McpHub.ts"
export * as Passthrough from "./Passthrough.ts"
export * as Telemetry from "./Telemetry.ts"
export * as ToolResult from "./ToolResult.ts"
