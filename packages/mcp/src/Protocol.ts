/**
 * The JSON-RPC / MCP error codes and the SDK's error shape, without loading the SDK: its types
 * module builds several hundred zod schemas when imported, which a process that never connects to a
 * server (a `tta exec` with no servers, `tta --help`) should not pay. Connections load the SDK.
 */

/** The SDK's `ErrorCode` values (JSON-RPC 2.0 plus the SDK's and MCP's own). */
export const ErrorCode = {
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  UrlElicitationRequired: -32042
} as const

/** What the SDK's `McpError` (and its subclasses) carries. */
export interface McpErrorLike extends Error {
  readonly code: number
  readonly data?: unknown
}

/** Whether `error` is the SDK's `McpError` (by its name, so without importing the class). */
export const isMcpError = (error: unknown): error is McpErrorLike =>
  error instanceof Error &&
  error.name === "McpError" &&
  typeof (error as { code?: unknown }).code === "number"
