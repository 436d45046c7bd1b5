/**
 * `describe(p)`: the primitive tree as plain data. `toMermaid(p)`: the same tree as a Mermaid
 * flowchart (children in order; edge labels say the order, route key or branch taken).
 */
import type { Any } from "./Primitive.ts"

export interface Description {
  readonly name: string
  readonly kind: string
  readonly meta: Readonly<Record<string, unknown>>
  readonly children: ReadonlyArray<Description>
}

export const describe = (p: Any): Description => ({
  name: p.name,
  kind: p.kind,
  meta: p.meta,
  children: p.children.map(describe)
})

const escapeLabel = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

export interface MermaidOptions {
  /** Flowchart direction; `TD` by default. */
  readonly direction?: "TD" | "LR" | undefined
}

export const toMermaid = (p: Any, options?: MermaidOptions): string => {
  const lines = [`flowchart ${options?.direction ?? "TD"}`]
  let next = 0
  const visit = (node: Any): string => {
    const id = `n${next++}`
    const label = node.kind === "step" || node.kind === "custom" ? node.name : `${node.kind}: ${node.name}`
    lines.push(`  ${id}["${escapeLabel(label)}"]`)
    const labels = Array.isArray(node.meta.labels) ? (node.meta.labels as ReadonlyArray<unknown>) : []
    node.children.forEach((child, i) => {
      const childId = visit(child)
      const edge = labels[i]
      lines.push(
        edge === undefined
          ? `  ${id} --> ${childId}`
          : `  ${id} -->|"${escapeLabel(String(edge))}"| ${childId}`
      )
    })
    return id
  }
  visit(p)
  return lines.join("\n")
}
