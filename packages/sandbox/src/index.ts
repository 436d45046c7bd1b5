import "./backends/index.ts"

export type {
  ExecuteRequest,
  ExecutionResult,
  HostCall,
  HostFunctions,
  LogEntry,
  LogLevel
} from "./Backend.ts"
export * as Backend from "./Backend.ts"
export * as E2b from "./backends/e2b/index.ts"
export * as Errors from "./Errors.ts"
export {
  CodeError,
  InvalidRequest,
  LimitExceeded,
  ResultNotSerializable,
  SandboxUnavailable
} from "./Errors.ts"
export * as Limits from "./Limits.ts"
export * as OptionalPeer from "./OptionalPeer.ts"
export { MissingPeerDependency } from "./OptionalPeer.ts"
export { Choice, execute, make, Sandbox } from "./Sandbox.ts"
