// A small, honest subset of PromQL, enough for triage queries:
//   selectors      metric{label="v", label!="v", label=~"re", label!~"re"}
//   range funcs    rate(sel[5m]) increase(sel[5m]) avg_over_time(sel[5m]) max_over_time(sel[5m])
//                  min_over_time(sel[5m])
//   aggregations   sum|avg|min|max|count [by (l, ...)] (expr), also with `by (...)` after the parens;
//                  topk(k, expr), bottomk(k, expr)
//   arithmetic     + - * / between vectors (one-to-one on identical label sets) and/or scalars
//   comparisons    > < >= <= == != as filters (vector op scalar, or vector op vector)
//   numbers, parentheses
// Differences from Prometheus, on purpose: rate() is (v(t) − v(t−w)) / w on the 15 s scrape grid
// (no extrapolation, no counter-reset handling: these counters never reset); no offset, @,
// without, on/ignoring/group_left, bool, subqueries or string literals outside matchers.

import type { Labels, Series } from "./series.ts"
import { SCRAPE_INTERVAL } from "./series.ts"

export class PromQLError extends Error {
  override readonly name = "PromQLError"
}

type Matcher = { readonly label: string; readonly op: "=" | "!=" | "=~" | "!~"; readonly value: string }
type Selector = { readonly _tag: "Selector"; readonly matchers: ReadonlyArray<Matcher> }
type Node =
  | { readonly _tag: "Number"; readonly value: number }
  | Selector
  | {
      readonly _tag: "RangeFn"
      readonly fn: RangeFnName
      readonly selector: Selector
      readonly window: number
    }
  | {
      readonly _tag: "Agg"
      readonly op: AggName
      readonly by: ReadonlyArray<string> | undefined
      readonly expr: Node
    }
  | { readonly _tag: "TopK"; readonly op: "topk" | "bottomk"; readonly k: number; readonly expr: Node }
  | { readonly _tag: "Binary"; readonly op: BinOp; readonly left: Node; readonly right: Node }

const RANGE_FNS = ["rate", "increase", "avg_over_time", "max_over_time", "min_over_time"] as const
type RangeFnName = (typeof RANGE_FNS)[number]
const AGGS = ["sum", "avg", "min", "max", "count"] as const
type AggName = (typeof AGGS)[number]
type BinOp = "+" | "-" | "*" | "/" | ">" | "<" | ">=" | "<=" | "==" | "!="
const COMPARISONS: ReadonlyArray<BinOp> = [">", "<", ">=", "<=", "==", "!="]

type Token = {
  readonly kind: "ident" | "number" | "string" | "duration" | "punct"
  readonly text: string
  readonly pos: number
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

export const parseDuration = (text: string): number | undefined => {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y
  let total = 0
  let i = 0
  while (i < text.length) {
    re.lastIndex = i
    const m = re.exec(text)
    if (!m?.[1] || !m[2]) return undefined
    total += Number(m[1]) * DURATION_UNITS[m[2]]!
    i = re.lastIndex
  }
  return i > 0 ? total : undefined
}

// Durations are only tokens right after "[", so "5m" elsewhere reads as the number 5 then "m".
const LEXEMES: ReadonlyArray<{ kind: Token["kind"]; re: RegExp; afterBracket?: boolean }> = [
  { kind: "duration", re: /^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)(?:\d+(?:ms|s|m|h|d|w))*/, afterBracket: true },
  { kind: "number", re: /^(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+)/i },
  { kind: "ident", re: /^[a-zA-Z_:][a-zA-Z0-9_:]*/ },
  { kind: "punct", re: /^(?:=~|!~|!=|==|>=|<=|[{}()[\],=+\-*/<>])/ }
]

const tokenize = (src: string): Array<Token> => {
  const out: Array<Token> = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      let s = ""
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++
        s += src[j]
        j++
      }
      if (j >= src.length) throw new PromQLError(`unterminated string starting at position ${i}`)
      out.push({ kind: "string", text: s, pos: i })
      i = j + 1
      continue
    }
    const rest = src.slice(i)
    const afterBracket = out.at(-1)?.kind === "punct" && out.at(-1)?.text === "["
    const hit = LEXEMES.map((l) => ({
      kind: l.kind,
      m: l.afterBracket && !afterBracket ? null : l.re.exec(rest)
    })).find((h) => h.m)
    if (!hit?.m) throw new PromQLError(`unexpected character ${JSON.stringify(c)} at position ${i}`)
    out.push({ kind: hit.kind, text: hit.m[0], pos: i })
    i += hit.m[0].length
  }
  return out
}

export const parse = (src: string): Node => {
  const tokens = tokenize(src)
  let p = 0
  const peek = () => tokens[p]
  const where = () => (tokens[p] ? `at position ${tokens[p]!.pos}` : "at end of query")
  const fail = (what: string): never => {
    throw new PromQLError(`${what} ${where()} in ${JSON.stringify(src)}`)
  }
  const accept = (text: string) => {
    if (peek()?.kind !== "string" && peek()?.text === text) {
      p++
      return true
    }
    return false
  }
  const expect = (text: string) => {
    if (!accept(text)) fail(`expected "${text}"`)
  }
  const labelList = (): Array<string> => {
    expect("(")
    const labels: Array<string> = []
    while (!accept(")")) {
      const t = peek()
      if (t?.kind !== "ident") return fail("expected a label name")
      labels.push(t.text)
      p++
      if (!accept(",") && peek()?.text !== ")") fail('expected "," or ")"')
    }
    return labels
  }
  const matchers = (): Array<Matcher> => {
    const out: Array<Matcher> = []
    expect("{")
    while (!accept("}")) {
      const name = peek()
      if (name?.kind !== "ident") return fail("expected a label name")
      p++
      const op = peek()
      if (!op || !["=", "!=", "=~", "!~"].includes(op.text)) return fail("expected =, !=, =~ or !~")
      p++
      const value = peek()
      if (value?.kind !== "string") return fail("expected a quoted label value")
      p++
      out.push({ label: name.text, op: op.text as Matcher["op"], value: value.text })
      if (!accept(",") && peek()?.text !== "}") fail('expected "," or "}"')
    }
    return out
  }
  const selector = (): Selector => {
    const t = peek()
    const ms: Array<Matcher> = []
    if (t?.kind === "ident") {
      ms.push({ label: "__name__", op: "=", value: t.text })
      p++
    }
    if (peek()?.text === "{") ms.push(...matchers())
    if (ms.length === 0) fail("expected a metric name or {label matchers}")
    return { _tag: "Selector", matchers: ms }
  }
  const primary = (): Node => {
    const t = peek()
    if (!t) return fail("expected an expression")
    if (t.kind === "number") {
      p++
      return { _tag: "Number", value: Number(t.text) }
    }
    if (t.kind === "punct" && t.text === "-") {
      p++
      const inner = primary()
      return { _tag: "Binary", op: "*", left: { _tag: "Number", value: -1 }, right: inner }
    }
    if (accept("(")) {
      const e = expr()
      expect(")")
      return e
    }
    if (
      t.kind === "ident" &&
      (RANGE_FNS as ReadonlyArray<string>).includes(t.text) &&
      tokens[p + 1]?.text === "("
    ) {
      p += 2
      const sel = selector()
      expect("[")
      const d = peek()
      const window = d?.kind === "duration" ? parseDuration(d.text) : undefined
      if (window === undefined) return fail(`expected a duration like 5m inside ${t.text}()'s range`)
      p++
      expect("]")
      expect(")")
      return { _tag: "RangeFn", fn: t.text as RangeFnName, selector: sel, window }
    }
    if (t.kind === "ident" && (t.text === "topk" || t.text === "bottomk")) {
      p++
      expect("(")
      const k = peek()
      if (k?.kind !== "number") return fail(`expected a number as ${t.text}'s first argument`)
      p++
      expect(",")
      const e = expr()
      expect(")")
      return { _tag: "TopK", op: t.text, k: Number(k.text), expr: e }
    }
    if (t.kind === "ident" && (AGGS as ReadonlyArray<string>).includes(t.text)) {
      const next = tokens[p + 1]?.text
      if (next === "without") {
        p++
        fail("without (...) is not supported; use by (...)")
      }
      if (next === "(" || next === "by") {
        p++
        let by: Array<string> | undefined
        if (accept("by")) by = labelList()
        expect("(")
        const e = expr()
        expect(")")
        if (accept("by")) {
          if (by) fail("by given twice")
          by = labelList()
        }
        return { _tag: "Agg", op: t.text as AggName, by, expr: e }
      }
    }
    if (t.kind === "ident" && tokens[p + 1]?.text === "(") {
      return fail(`unsupported function ${t.text}()`)
    }
    const sel = selector()
    if (peek()?.text === "[")
      fail("range vectors are only supported inside rate(), increase() and *_over_time()")
    return sel
  }
  const binary = (ops: ReadonlyArray<string>, next: () => Node) => (): Node => {
    let left = next()
    for (;;) {
      const t = peek()
      if (t?.kind !== "punct" || !ops.includes(t.text)) return left
      p++
      left = { _tag: "Binary", op: t.text as BinOp, left, right: next() }
    }
  }
  const mul = binary(["*", "/"], primary)
  const add = binary(["+", "-"], mul)
  const expr: () => Node = binary(COMPARISONS, add)
  const root = expr()
  if (p < tokens.length) fail(`unexpected "${tokens[p]!.text}"`)
  return root
}

export interface Sample {
  readonly labels: Labels
  readonly value: number
}
type Value =
  | { readonly _tag: "Scalar"; readonly value: number }
  | { readonly _tag: "Vector"; readonly samples: Array<Sample> }

const labelKey = (labels: Labels, exclude?: string): string =>
  Object.keys(labels)
    .filter((k) => k !== exclude)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",")

const dropName = (labels: Labels): Labels => {
  const { __name__: _, ...rest } = labels
  return rest
}

const compileMatcher = (m: Matcher): ((labels: Labels) => boolean) => {
  if (m.op === "=" || m.op === "!=") {
    const eq = m.op === "="
    return (l) => ((l[m.label] ?? "") === m.value) === eq
  }
  let re: RegExp
  try {
    re = new RegExp(`^(?:${m.value})$`)
  } catch {
    throw new PromQLError(`invalid regular expression ${JSON.stringify(m.value)} for label ${m.label}`)
  }
  const want = m.op === "=~"
  return (l) => re.test(l[m.label] ?? "") === want
}

/** Evaluates a parsed query; selector matching is cached per node, so range queries stay cheap. */
export const makeEvaluator = (series: ReadonlyArray<Series>, retentionStart: number, now: number) => {
  const selected = new Map<Selector, ReadonlyArray<Series>>()
  const select = (sel: Selector) => {
    let hit = selected.get(sel)
    if (!hit) {
      const preds = sel.matchers.map(compileMatcher)
      hit = series.filter((s) => preds.every((f) => f(s.labels)))
      selected.set(sel, hit)
    }
    return hit
  }
  const inWindow = (t: number) => t >= retentionStart && t <= now

  const evalRange = (n: Extract<Node, { _tag: "RangeFn" }>, t: number): Array<Sample> => {
    const from = t - n.window
    if (!inWindow(t) || from < retentionStart) return []
    return select(n.selector).map((s) => {
      const labels = dropName(s.labels)
      if (n.fn === "rate" || n.fn === "increase") {
        const delta = s.sample(t) - s.sample(from)
        return { labels, value: n.fn === "rate" ? delta / n.window : delta }
      }
      let acc = n.fn === "avg_over_time" ? 0 : n.fn === "max_over_time" ? -Infinity : Infinity
      let count = 0
      for (let u = Math.ceil(from / SCRAPE_INTERVAL) * SCRAPE_INTERVAL; u <= t; u += SCRAPE_INTERVAL) {
        const v = s.sample(u)
        acc =
          n.fn === "avg_over_time" ? acc + v : n.fn === "max_over_time" ? Math.max(acc, v) : Math.min(acc, v)
        count++
      }
      return { labels, value: n.fn === "avg_over_time" ? acc / Math.max(1, count) : acc }
    })
  }

  const arith = (op: BinOp, a: number, b: number): number => {
    switch (op) {
      case "+":
        return a + b
      case "-":
        return a - b
      case "*":
        return a * b
      case "/":
        return a / b
      case ">":
        return a > b ? 1 : 0
      case "<":
        return a < b ? 1 : 0
      case ">=":
        return a >= b ? 1 : 0
      case "<=":
        return a <= b ? 1 : 0
      case "==":
        return a === b ? 1 : 0
      case "!=":
        return a !== b ? 1 : 0
    }
  }

  const evaluate = (n: Node, t: number): Value => {
    switch (n._tag) {
      case "Number":
        return { _tag: "Scalar", value: n.value }
      case "Selector":
        return {
          _tag: "Vector",
          samples: inWindow(t) ? select(n).map((s) => ({ labels: s.labels, value: s.sample(t) })) : []
        }
      case "RangeFn":
        return { _tag: "Vector", samples: evalRange(n, t) }
      case "Agg": {
        const v = evaluate(n.expr, t)
        if (v._tag !== "Vector") throw new PromQLError(`${n.op}() needs a vector argument, got a scalar`)
        const groups = new Map<string, { labels: Labels; values: Array<number> }>()
        for (const s of v.samples) {
          const labels: Record<string, string> = {}
          for (const l of n.by ?? []) if (s.labels[l] !== undefined) labels[l] = s.labels[l]
          const key = labelKey(labels)
          const g = groups.get(key)
          if (g) g.values.push(s.value)
          else groups.set(key, { labels, values: [s.value] })
        }
        const samples = [...groups.values()].map(({ labels, values }) => {
          const sum = values.reduce((a, b) => a + b, 0)
          const value =
            n.op === "sum"
              ? sum
              : n.op === "avg"
                ? sum / values.length
                : n.op === "min"
                  ? Math.min(...values)
                  : n.op === "max"
                    ? Math.max(...values)
                    : values.length
          return { labels, value }
        })
        return { _tag: "Vector", samples }
      }
      case "TopK": {
        const v = evaluate(n.expr, t)
        if (v._tag !== "Vector") throw new PromQLError(`${n.op}() needs a vector argument, got a scalar`)
        const sorted = [...v.samples].sort((a, b) =>
          n.op === "topk" ? b.value - a.value : a.value - b.value
        )
        return { _tag: "Vector", samples: sorted.slice(0, Math.max(0, Math.floor(n.k))) }
      }
      case "Binary": {
        const l = evaluate(n.left, t)
        const r = evaluate(n.right, t)
        const isCmp = COMPARISONS.includes(n.op)
        if (l._tag === "Scalar" && r._tag === "Scalar")
          return { _tag: "Scalar", value: arith(n.op, l.value, r.value) }
        if (l._tag === "Vector" && r._tag === "Scalar") {
          return {
            _tag: "Vector",
            samples: isCmp
              ? l.samples.filter((s) => arith(n.op, s.value, r.value) === 1)
              : l.samples.map((s) => ({ labels: dropName(s.labels), value: arith(n.op, s.value, r.value) }))
          }
        }
        if (l._tag === "Scalar" && r._tag === "Vector") {
          return {
            _tag: "Vector",
            samples: isCmp
              ? r.samples.filter((s) => arith(n.op, l.value, s.value) === 1)
              : r.samples.map((s) => ({ labels: dropName(s.labels), value: arith(n.op, l.value, s.value) }))
          }
        }
        if (l._tag === "Vector" && r._tag === "Vector") {
          const right = new Map(r.samples.map((s) => [labelKey(s.labels, "__name__"), s]))
          const samples: Array<Sample> = []
          for (const s of l.samples) {
            const o = right.get(labelKey(s.labels, "__name__"))
            if (!o) continue
            if (isCmp) {
              if (arith(n.op, s.value, o.value) === 1) samples.push(s)
            } else samples.push({ labels: dropName(s.labels), value: arith(n.op, s.value, o.value) })
          }
          return { _tag: "Vector", samples }
        }
        throw new PromQLError("unreachable")
      }
    }
  }
  return evaluate
}

export type { Node }
export { labelKey }
