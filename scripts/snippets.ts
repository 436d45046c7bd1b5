// The ```ts blocks of a markdown page and their markers (shared by check-snippets.ts and
// pack-check.ts). A block can be preceded by one HTML comment, invisible on GitHub:
//   <!-- snippet: skip -->                a fragment that is not a module (say why in the text)
//   <!-- snippet: run, file=hedge.ts      options: `run` (needs no network: run it), `file=` (its name,
//   const api = { ... }                   so a later block of the same page can import it), `needs=pkg`
//   -->                                   (a package the hidden code uses, for pack-check to install);
//                                         lines after the first are hidden code put before the block
import { readFileSync } from "node:fs"

export interface Snippet {
  /** 1-based line of the block's first code line in the page. */
  readonly line: number
  readonly name: string
  readonly run: boolean
  readonly skip: boolean
  readonly preludeLines: number
  /** Packages the hidden code imports besides the page's own (`needs=`). */
  readonly needs: ReadonlyArray<string>
  /** The module to write: hidden prelude, then the block (plus `export {}` when it has no import). */
  readonly code: string
}

const fence = /^```(ts|typescript)\s*$/
const marker = /^<!--\s*snippet:\s*([^\n]*?)\s*(-->)?$/

// The HTML comment that ends on the line before `index`, if it is a snippet marker.
const markerBefore = (lines: ReadonlyArray<string>, index: number) => {
  if (index === 0 || lines[index - 1]!.trim() !== "-->") {
    const single = index > 0 ? marker.exec(lines[index - 1]!.trim()) : null
    return single?.[2] ? { options: single[1]!, prelude: [] as Array<string> } : undefined
  }
  for (let i = index - 2; i >= 0; i--) {
    const open = marker.exec(lines[i]!.trim())
    if (open) return { options: open[1]!, prelude: lines.slice(i + 1, index - 1) }
    if (lines[i]!.startsWith("```")) return undefined
  }
  return undefined
}

export const extract = (file: string, label = file): Array<Snippet> => {
  const lines = readFileSync(file, "utf8").split("\n")
  const out: Array<Snippet> = []
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i]!)) continue
    const start = i
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"))
    if (end === -1) throw new Error(`${label}:${i + 1}: unclosed code block`)
    const mark = markerBefore(lines, i)
    const options = (mark?.options ?? "").split(",").map((o) => o.trim())
    const body = lines.slice(i + 1, end)
    i = end
    const prelude = mark?.prelude ?? []
    const code = [...prelude, ...body].join("\n")
    out.push({
      line: start + 2,
      name: options.find((o) => o.startsWith("file="))?.slice(5) ?? `line-${start + 2}.ts`,
      run: options.includes("run"),
      skip: options.includes("skip"),
      preludeLines: prelude.length,
      needs: options.filter((o) => o.startsWith("needs=")).map((o) => o.slice(6)),
      // Every snippet is a module of its own, even one without an import.
      code: `${/^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {}`}\n`
    })
  }
  return out
}

/** The ```json blocks of a page (1-based line of their first line), for a parse check. */
export const extractJson = (file: string): Array<{ readonly line: number; readonly text: string }> => {
  const lines = readFileSync(file, "utf8").split("\n")
  const out: Array<{ line: number; text: string }> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```json\s*$/.test(lines[i]!)) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"))
    if (end === -1) break
    out.push({ line: i + 2, text: lines.slice(i + 1, end).join("\n") })
    i = end
  }
  return out
}
