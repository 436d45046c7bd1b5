// bench/results.md holds one section per bench; each run replaces its own section only.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const results = join(import.meta.dirname, "results.md")

/** Replaces the section starting at `heading` (up to the next `## `) or appends it. */
export const writeSection = (heading: string, section: string) => {
  const before = existsSync(results) ? readFileSync(results, "utf8") : ""
  const start = before.indexOf(`\n${heading}`)
  if (start === -1) return writeFileSync(results, `${before.trimEnd()}\n\n${section.trimEnd()}\n`)
  const next = before.indexOf("\n## ", start + 1)
  const rest = next === -1 ? "" : `\n${before.slice(next + 1).trimEnd()}\n`
  writeFileSync(results, `${before.slice(0, start).trimEnd()}\n\n${section.trimEnd()}\n${rest}`)
}
