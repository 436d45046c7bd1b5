/**
 * A tool as one line of TypeScript — `listDirectory(input: { path: string }): Promise<unknown>` —
 * the least an agent needs to write the call, for discovery that costs few tokens (search's
 * `signature` detail). Types are written inline without their doc comments; one too long to be
 * worth inlining is named instead (its file has it whole).
 */
import { convertRoot, newScope } from "./SchemaType.ts"
import { renderLearned } from "./Shape.ts"
import type { ToolEntry } from "./Tree.ts"

/**
 * Longest inline type kept in a signature (~250 tokens); a longer one is referred to by name. A
 * named type sends the agent to read the file, which costs about four times the inline type (its
 * doc comments), so a type is named only when it is too big to be worth a line.
 */
const MAX_INLINE = 1000

const compact = (text: string): string =>
  text
    .replace(/\/\*\*[\s\S]*?\*\//g, "")
    .replace(/\s+/g, " ")
    .replace(/\{ /g, "{ ")
    .replace(/ ?; ?\}/g, " }")
    .replace(/ ; /g, "; ")
    .trim()

const inline = (schema: unknown, label: string, name: string): string => {
  const type = convertRoot(newScope([name]), { label, schema, name })
  const text = compact(type.text)
  // Named types from `$ref` are not written beside a signature, so such a type is named too.
  return text.length > MAX_INLINE || (type.refs?.length ?? 0) > 0 ? name : text
}

/** `identifier(input: …): Promise<…>` for one tool of a plan. */
export const signature = (entry: ToolEntry): string => {
  const { tool, identifier, typeName } = entry
  const input = inline(tool.inputSchema, "input", `${typeName}Input`)
  const learned = tool.learnedOutput === undefined ? undefined : compact(renderLearned(tool.learnedOutput))
  const output =
    tool.outputSchema !== undefined
      ? inline(tool.outputSchema, "output", `${typeName}Output`)
      : learned !== undefined
        ? learned.length > MAX_INLINE
          ? `${typeName}Output`
          : learned
        : "unknown"
  const required = tool.inputSchema.required
  const optional = !Array.isArray(required) || required.length === 0
  return `${identifier}(input${optional ? "?" : ""}: ${input}): Promise<${output}>`
}
