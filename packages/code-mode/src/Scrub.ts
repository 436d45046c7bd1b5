/**
 * Host paths and session ids never reach agent code or the model: every error that crosses into the
 * sandbox (workspace, tool calls) or out to the client (execute, skills) has the gateway's own paths
 * replaced by what the agent knows them as (`workspace/`, `skills/`) and the session id removed.
 */
import { realpathSync } from "node:fs"
import { resolve } from "node:path"

export interface Scrubber {
  readonly text: (text: string) => string
  /** An error as agent code may see it: its `_tag`/`name` and a scrubbed `message`. */
  readonly error: (error: unknown) => {
    readonly _tag: string
    readonly name: string
    readonly message: string
  }
}

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e
    ? String((e as { message: unknown }).message)
    : String(e)

/** Each path (also as its real path, and with either separator) replaced by its label; secrets removed. */
export const make = (options: {
  readonly paths: ReadonlyArray<readonly [path: string, label: string]>
  readonly secrets?: ReadonlyArray<string> | undefined
}): Scrubber => {
  const pairs: Array<readonly [string, string]> = []
  for (const [path, label] of options.paths) {
    const full = resolve(path)
    pairs.push([full, label])
    try {
      const real = realpathSync(full)
      if (real !== full) pairs.push([real, label])
    } catch {
      // Not created yet: its resolved form is the only one that can appear.
    }
  }
  for (const secret of options.secrets ?? []) if (secret.length >= 8) pairs.push([secret, "<session>"])
  // Longest first, so a path is replaced before a shorter path it starts with.
  pairs.sort((a, b) => b[0].length - a[0].length)
  const text = (s: string) => {
    let out = s
    for (const [from, to] of pairs) if (out.includes(from)) out = out.split(from).join(to)
    return out
  }
  return {
    text,
    error: (e) => {
      const o = (typeof e === "object" && e !== null ? e : {}) as { _tag?: unknown; name?: unknown }
      const tag = typeof o._tag === "string" ? o._tag : typeof o.name === "string" ? o.name : "Error"
      return { _tag: tag, name: typeof o.name === "string" ? o.name : tag, message: text(messageOf(e)) }
    }
  }
}

/** Replaces nothing. */
export const none: Scrubber = make({ paths: [] })
