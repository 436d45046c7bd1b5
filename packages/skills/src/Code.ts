/**
 * Skill code checks: does the TypeScript parse, and what does it export.
 *
 * The parse runs through Node's `module.stripTypeScriptTypes` (SWC's full TypeScript/ECMAScript
 * module parser): it rejects any syntax error with a line/column snippet, and it also rejects
 * TypeScript that cannot be erased (enums, namespaces), which the sandbox could not run either.
 * When the process runs with `--experimental-vm-modules`, the stripped module is also compiled by
 * V8 (`vm.SourceTextModule`), which adds V8's early errors (duplicate declarations...).
 */
import { stripTypeScriptTypes } from "node:module"
import { posix } from "node:path"
import * as vm from "node:vm"
import { SkillInvalid } from "./Errors.ts"

export interface CheckedCode {
  /** One line per export, copied from the source with its types (`export async function f(a: A): Promise<B>`). */
  readonly signatures: ReadonlyArray<string>
}

interface ParseFailure {
  readonly message: string
  readonly line?: number
  readonly column?: number
}

// Node prefixes the error stack with "<file>:<line>\n<source lines>\n<spaces>^^^\n\nSyntaxError ...".
const snippetPosition = (stack: string): { line?: number; column?: number } => {
  const head = stack.split("\n\nSyntaxError")[0] ?? ""
  const lines = head.split("\n")
  const m = /:(\d+)$/.exec(lines[0] ?? "")
  if (!m) return {}
  const line = Number(m[1])
  const caret = lines.findIndex((l, i) => i > 0 && /^\s*\^+\s*$/.test(l))
  const column = caret > 0 ? (lines[caret] ?? "").indexOf("^") + 1 : undefined
  return column === undefined ? { line } : { line, column }
}

const parse = (code: string, file: string): string | ParseFailure => {
  try {
    return stripTypeScriptTypes(code, { mode: "strip", sourceUrl: file })
  } catch (e) {
    const err = e as { message?: string; stack?: string }
    return { message: err.message ?? String(e), ...snippetPosition(err.stack ?? "") }
  }
}

const v8Check = (stripped: string, file: string): ParseFailure | undefined => {
  const SourceTextModule = (vm as { SourceTextModule?: new (code: string, options: object) => unknown })
    .SourceTextModule
  if (typeof SourceTextModule !== "function") return undefined
  try {
    new SourceTextModule(stripped, { identifier: file })
    return undefined
  } catch (e) {
    return {
      message: `${(e as Error).message} (reported by V8, which gives no position for module early errors)`
    }
  }
}

const pointAt = (code: string, f: ParseFailure): string => {
  if (f.line === undefined) return `code does not parse: ${f.message}`
  const src = code.split("\n")[f.line - 1] ?? ""
  const where = f.column === undefined ? `line ${f.line}` : `line ${f.line}, column ${f.column}`
  const caret = f.column === undefined ? "" : `\n  ${" ".repeat(f.column - 1)}^`
  return `code does not parse: ${f.message} at ${where}\n  ${src}${caret}`
}

const skipString = (s: string, i: number): number => {
  const q = s[i]
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++
    else if (s[j] === q) return j
  }
  return s.length
}

// Index just past the parenthesis that closes the one at `open`.
const closeParen = (s: string, open: number): number => {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    const c = s[i]
    if (c === '"' || c === "'" || c === "`") i = skipString(s, i)
    else if (c === "(") depth++
    else if (c === ")" && --depth === 0) return i + 1
  }
  return -1
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim()

/**
 * Signatures of the top-level exports. Works on the stripped text (types blanked out, positions
 * kept), so the end of a signature is where the body starts, then copies that span from the source.
 */
export const signatures = (code: string, stripped: string): Array<string> => {
  const found = new Map<number, string>()
  const scan = (re: RegExp, endOf: (m: RegExpExecArray, close: number) => string | undefined) => {
    for (let m = re.exec(stripped); m; m = re.exec(stripped)) {
      if (found.has(m.index)) continue
      const close = m[0].endsWith("(")
        ? closeParen(stripped, m.index + m[0].length - 1)
        : m.index + m[0].length
      const text = close < 0 ? undefined : endOf(m, close)
      if (text !== undefined) found.set(m.index, text)
    }
  }
  const untilBody = (m: RegExpExecArray, close: number) => {
    const body = stripped.indexOf("{", close)
    return body < 0 ? undefined : oneLine(code.slice(m.index, body))
  }
  const untilArrow = (m: RegExpExecArray, close: number) => {
    const arrow = stripped.indexOf("=>", close)
    return arrow < 0 ? undefined : `${oneLine(code.slice(m.index, arrow))} =>`
  }
  scan(/^export\s+(?:default\s+)?(?:async\s+)?function\b[^(]*\(/gm, untilBody)
  scan(/^export\s+(?:const|let|var)\s+[\w$]+\s*=\s*(?:async\s+)?function\b[^(]*\(/gm, untilBody)
  scan(/^export\s+(?:(?:const|let|var)\s+[\w$]+\s*=|default)\s*(?:async\s*)?\(/gm, untilArrow)
  // Anything else exported by name: no parameter list to show, so the declaration head only.
  scan(/^export\s+(?:(?:const|let|var)\s+[\w$]+|\{[^}]*\}|default\s+[\w$]+\s*;?\s*$)/gm, (m) =>
    oneLine(code.slice(m.index, m.index + m[0].length).replace(/;\s*$/, ""))
  )
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text)
}

/** Refuses code that does not parse (message points at the line) or exports no function. */
export const check = (code: string, file = "index.ts"): CheckedCode | SkillInvalid => {
  const stripped = parse(code, file)
  if (typeof stripped !== "string") {
    return new SkillInvalid({
      field: "code",
      message: pointAt(code, stripped),
      ...(stripped.line === undefined ? {} : { line: stripped.line }),
      ...(stripped.column === undefined ? {} : { column: stripped.column })
    })
  }
  const v8 = v8Check(stripped, file)
  if (v8) return new SkillInvalid({ field: "code", message: pointAt(code, v8) })
  const sigs = signatures(code, stripped)
  if (sigs.length === 0) {
    return new SkillInvalid({
      field: "code",
      message:
        "code exports no function: a skill exports one, e.g. `export async function run(input: Input): Promise<Output> { ... }`"
    })
  }
  return { signatures: sigs }
}

const specifiers = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g
const skillPath = /^skills\/([a-z0-9]+(?:-[a-z0-9]+)*)\/index(?:\.ts)?$/

/**
 * The skills `code` imports (static, re-export or dynamic `import()`), as names: specifiers are
 * resolved against `from`, the importing file's path in the sandbox mount (`index.ts` for agent
 * code at the root, `skills/<name>/index.ts` for a skill), so `./skills/x/index.ts` from the
 * root and `../x/index.ts` from a skill both name `x`.
 */
export const importedSkills = (code: string, from = "index.ts"): Array<string> => {
  const out = new Set<string>()
  for (const m of code.matchAll(specifiers)) {
    const spec = m[1] as string
    if (!spec.startsWith("./") && !spec.startsWith("../")) continue
    const resolved = posix.normalize(posix.join(posix.dirname(from), spec))
    const name = skillPath.exec(resolved)?.[1]
    if (name !== undefined) out.add(name)
  }
  return [...out]
}
