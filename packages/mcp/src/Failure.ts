/**
 * Why a connection failed, in words: plain values, apart from the connection itself so that modules
 * loaded before any server starts (the supervisor, requests, the tool index) need not load the MCP
 * SDK, which a connection loads on first use.
 */
import { describeExit, type Exit } from "./Exit.ts"

/** Why a connection is no longer usable. */
export type Failure =
  | { readonly kind: "exited" }
  | { readonly kind: "garbage"; readonly detail: string }
  | { readonly kind: "overflow"; readonly limit: number }
  | { readonly kind: "unresponsive" }
  | { readonly kind: "unreachable"; readonly detail: string }
  | { readonly kind: "closed" }

/** Why a connection died, in words; `exit` (when known) says how its process ended. */
export const describeFailure = (failure: Failure, exit?: Exit): string => {
  switch (failure.kind) {
    case "exited":
      return exit === undefined ? "exited" : describeExit(exit)
    case "garbage":
      return `wrote output that is not JSON-RPC to stdout (${failure.detail})`
    case "overflow":
      return `sent a message larger than the ${failure.limit}-byte limit`
    case "unresponsive":
      return "stopped responding (no answer to ping after a timed-out call)"
    case "unreachable":
      return `could not be reached (${failure.detail})`
    case "closed":
      return "was shut down"
  }
}

/** Starting failed; carries what the process said on stderr before it went, and how it ended. */
export class OpenFailure extends Error {
  readonly stderr: string
  readonly exit: Exit | undefined
  /** The spawn error's code (`ENOENT`, `EACCES`) when the command could not be run. */
  readonly spawnError: string | undefined
  constructor(message: string, stderr: string, exit?: Exit, spawnError?: string) {
    super(message)
    this.stderr = stderr
    this.exit = exit
    this.spawnError = spawnError
  }
}
