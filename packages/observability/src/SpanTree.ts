/**
 * Finished spans → trees (by parent span id), plus the readable text
 * rendering used by the console exporter.
 */
import type { AttributeValue } from "@opentelemetry/api"
import type { FinishedSpan } from "./SpanData.ts"

export interface SpanNode {
  readonly span: FinishedSpan
  readonly children: ReadonlyArray<SpanNode>
}

/** A tree reduced to names (and optionally chosen attributes), for `toEqual` assertions. */
export interface SpanShape {
  readonly name: string
  readonly attributes?: Readonly<Record<string, AttributeValue | undefined>>
  readonly children: ReadonlyArray<SpanShape>
}

const byStart = (a: SpanNode, b: SpanNode) =>
  a.span.startTime - b.span.startTime || a.span.name.localeCompare(b.span.name)

/**
 * Builds the span forest. A span whose parent is not among `spans` (a true root,
 * or a child of a remote/unrecorded span) becomes a root. Roots and siblings are
 * ordered by start time.
 */
export const fromSpans = (spans: ReadonlyArray<FinishedSpan>): ReadonlyArray<SpanNode> => {
  const ids = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`))
  const childrenOf = new Map<string, Array<FinishedSpan>>()
  const roots: Array<FinishedSpan> = []
  for (const span of spans) {
    const parentKey = span.parentSpanId === undefined ? undefined : `${span.traceId}/${span.parentSpanId}`
    if (parentKey === undefined || !ids.has(parentKey)) {
      roots.push(span)
    } else {
      const list = childrenOf.get(parentKey)
      if (list) list.push(span)
      else childrenOf.set(parentKey, [span])
    }
  }
  const build = (span: FinishedSpan): SpanNode => ({
    span,
    children: (childrenOf.get(`${span.traceId}/${span.spanId}`) ?? []).map(build).sort(byStart)
  })
  return roots.map(build).sort(byStart)
}

/** Depth-first walk (parents before children). */
export const flatten = (nodes: ReadonlyArray<SpanNode>): ReadonlyArray<{ node: SpanNode; depth: number }> => {
  const out: Array<{ node: SpanNode; depth: number }> = []
  const visit = (node: SpanNode, depth: number) => {
    out.push({ node, depth })
    for (const child of node.children) visit(child, depth + 1)
  }
  for (const node of nodes) visit(node, 0)
  return out
}

/** Every node (depth-first) whose span matches the name or predicate. */
export const findAll = (
  nodes: ReadonlyArray<SpanNode>,
  match: string | ((span: FinishedSpan) => boolean)
): ReadonlyArray<SpanNode> => {
  const test = typeof match === "string" ? (span: FinishedSpan) => span.name === match : match
  return flatten(nodes)
    .map(({ node }) => node)
    .filter((node) => test(node.span))
}

/** The first node (depth-first) whose span matches the name or predicate. */
export const find = (
  nodes: ReadonlyArray<SpanNode>,
  match: string | ((span: FinishedSpan) => boolean)
): SpanNode | undefined => findAll(nodes, match)[0]

/**
 * Reduces trees to `{ name, children }` (plus the listed attributes). Siblings keep
 * start order unless `order: "name"` (then by name, ties by subtree), which makes parallel
 * branches deterministic.
 */
export const shape = (
  nodes: ReadonlyArray<SpanNode>,
  options: { readonly attributes?: ReadonlyArray<string>; readonly order?: "start" | "name" } = {}
): ReadonlyArray<SpanShape> => {
  const keys = options.attributes ?? []
  const one = (node: SpanNode): SpanShape => {
    const children = shape(node.children, options)
    if (keys.length === 0) return { name: node.span.name, children }
    const attributes: Record<string, AttributeValue | undefined> = {}
    for (const key of keys) attributes[key] = node.span.attributes[key]
    return { name: node.span.name, attributes, children }
  }
  const shaped = nodes.map(one)
  if (options.order !== "name") return shaped
  // Same-named siblings (parallel calls) are told apart by their subtrees.
  const key = (s: SpanShape) => JSON.stringify(s)
  return [...shaped].sort((a, b) => a.name.localeCompare(b.name) || key(a).localeCompare(key(b)))
}

const formatDuration = (ms: number): string =>
  ms >= 1000
    ? `${(ms / 1000).toFixed(2)} s`
    : ms >= 1
      ? `${ms.toFixed(1)} ms`
      : `${(ms * 1000).toFixed(0)} µs`

const formatValue = (value: AttributeValue): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

// Stack traces and source locations make the tree unreadable; the report keeps them.
const hiddenAttribute = (key: string) => key.startsWith("code.") || key === "exception.stacktrace"

/** One line per span, indented with box-drawing guides; errors marked with ✗. */
export const render = (nodes: ReadonlyArray<SpanNode>): string => {
  const lines: Array<string> = []
  const line = (node: SpanNode, prefix: string, branch: string) => {
    const { span } = node
    const attrs = Object.entries(span.attributes)
      .filter(([key]) => !hiddenAttribute(key))
      .map(([key, value]) => `${key}=${formatValue(value)}`)
    const status = span.status === "error" ? ` ✗ ${span.statusMessage ?? "error"}` : ""
    const attrText = attrs.length > 0 ? `  ${attrs.join(" ")}` : ""
    lines.push(`${prefix}${branch}${span.name}  ${formatDuration(span.durationMs)}${status}${attrText}`)
    const childPrefix = prefix + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ")
    node.children.forEach((child, i) => {
      line(child, childPrefix, i === node.children.length - 1 ? "└─ " : "├─ ")
    })
  }
  for (const root of nodes) {
    lines.push(`trace ${root.span.traceId}`)
    line(root, "", "")
  }
  return lines.join("\n")
}

export { formatDuration }
