/**
 * How a server process ended, and a message too large to take: plain values, apart from the stdio
 * transport so that modules loaded before any server starts need not load the MCP SDK with it.
 */

/** How the server process ended. */
export interface Exit {
  /** Exit code, when it exited by itself. */
  readonly code: number | null
  /** Signal that ended it, when one did. */
  readonly signal: NodeJS.Signals | null
}

/** "exited with code 3", "was killed by SIGKILL". */
export const describeExit = (exit: Exit): string =>
  exit.signal !== null
    ? `was killed by ${exit.signal}`
    : exit.code !== null
      ? `exited with code ${exit.code}`
      : "exited"

/** `exitCode` / `signal` fields of an error or status, from how a process ended. */
export const exitFields = (exit: Exit | undefined): { exitCode?: number; signal?: string } => ({
  ...(exit?.code == null ? {} : { exitCode: exit.code }),
  ...(exit?.signal == null ? {} : { signal: exit.signal })
})

/** A message (a line on stdout) longer than the limit. */
export class MessageTooLarge extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`a message exceeded the maximum size of ${limit} bytes`)
    this.name = "MessageTooLarge"
    this.limit = limit
  }
}
