export * as E2b from "./E2b.ts"
export * as Errors from "./Errors.ts"
export {
  CodeError,
  InvalidRequest,
  LimitExceeded,
  ResultNotSerializable,
  SandboxUnavailable
} from "./Errors.ts"
export * as Limits from "./Limits.ts"
export type {
  Backend,
  ExecuteRequest,
  ExecutionResult,
  HostCall,
  HostFunctions,
  LogEntry,
  LogLevel
} from "./Sandbox.ts"
export { execute, make, Sandbox } from "./Sandbox.ts"
