import type { LogEntry, LogLevel } from "./Backend.ts"

const levels = new Set<LogLevel>(["log", "info", "warn", "error", "debug"])

/**
 * The console output of one execution, kept within `outputBytes` (each entry counts its UTF-8 bytes
 * plus one). Output past the limit is cut and marks the buffer truncated.
 */
export interface LogBuffer {
  readonly logs: Array<LogEntry>
  readonly truncated: () => boolean
  /** Keeps one entry; returns it as kept (cut to the limit), or undefined when nothing was kept. */
  log(level: unknown, text: unknown): LogEntry | undefined
  /** Drops entries from the end until they fit beside a value of `valueBytes`. */
  fitOutput(valueBytes: number): void
}

export const make = (outputBytes: number): LogBuffer => {
  const logs: Array<LogEntry> = []
  let logBytes = 0
  let truncated = false
  return {
    logs,
    truncated: () => truncated,
    log: (level, text) => {
      if (truncated) return undefined
      const message = String(text)
      const lvl = levels.has(level as LogLevel) ? (level as LogLevel) : "log"
      const bytes = Buffer.byteLength(message) + 1
      if (logBytes + bytes > outputBytes) {
        truncated = true
        const room = outputBytes - logBytes - 1
        if (room <= 0) return undefined
        const cut = Buffer.from(message).subarray(0, room).toString()
        const entry = { level: lvl, message: cut }
        logs.push(entry)
        logBytes += Buffer.byteLength(cut) + 1
        return entry
      }
      const entry = { level: lvl, message }
      logs.push(entry)
      logBytes += bytes
      return entry
    },
    fitOutput: (valueBytes) => {
      while (logs.length > 0 && logBytes + valueBytes > outputBytes) {
        const last = logs.pop()!
        logBytes -= Buffer.byteLength(last.message) + 1
        truncated = true
      }
    }
  }
}
