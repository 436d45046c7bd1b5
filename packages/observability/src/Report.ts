/**
 * A run written out as one self-contained HTML file (no scripts, no network): the trace
 * waterfall, the token table with a bar chart of the three figures, and the tool calls.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import type { AttributeValue } from "@opentelemetry/api"
import { Effect, Schema } from "effect"
import type { FinishedSpan } from "./SpanData.ts"
import * as SpanTree from "./SpanTree.ts"
import * as TokenAccount from "./TokenAccount.ts"
import * as Tokenizer from "./Tokenizer.ts"

export interface ReportToolCall {
  readonly server: string
  readonly tool: string
  readonly input?: unknown
  readonly result?: unknown
  readonly isError?: boolean | undefined
  readonly durationMs?: number | undefined
  readonly error?: string | undefined
}

export interface Run {
  readonly title?: string | undefined
  /** Finished spans, e.g. `yield* Observability.spans` with the memory exporter. */
  readonly spans: ReadonlyArray<FinishedSpan>
  readonly tokens?: TokenAccount.Figures | undefined
  /** Default: derived from the `tools/call` spans (`mcp.method.name` = `tools/call`). */
  readonly toolCalls?: ReadonlyArray<ReportToolCall> | undefined
  /** Epoch ms shown in the header; default: the first span's start. */
  readonly generatedAt?: number | undefined
}

export class ReportError extends Schema.TaggedError<ReportError>()("ReportError", {
  path: Schema.String,
  message: Schema.String
}) {}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

const fmtMs = SpanTree.formatDuration

const preview = (value: unknown, max = 160): string => {
  if (value === undefined) return ""
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "")
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

const attrText = (value: AttributeValue): string =>
  typeof value === "string" ? value : JSON.stringify(value)

/** Tool calls as the spans tell them (MCP semantic conventions). */
export const toolCallsFromSpans = (spans: ReadonlyArray<FinishedSpan>): ReadonlyArray<ReportToolCall> =>
  spans
    .filter((span) => span.attributes["mcp.method.name"] === "tools/call")
    .sort((a, b) => a.startTime - b.startTime)
    .map((span) => {
      const errorType = span.attributes["error.type"]
      return {
        server: String(span.attributes["mcp.server.name"] ?? ""),
        tool: String(span.attributes["gen_ai.tool.name"] ?? span.name.replace(/^tools\/call /, "")),
        durationMs: span.durationMs,
        isError: span.status === "error",
        error:
          span.status === "error"
            ? [errorType === undefined ? undefined : String(errorType), span.statusMessage]
                .filter(Boolean)
                .join(": ")
            : undefined
      }
    })

const category = (span: FinishedSpan): string =>
  span.name.startsWith("tools/") || span.attributes["mcp.method.name"] !== undefined
    ? "mcp"
    : span.name.startsWith("sandbox.")
      ? "sandbox"
      : span.name.startsWith("tta.")
        ? "tta"
        : "other"

const waterfall = (spans: ReadonlyArray<FinishedSpan>): string => {
  if (spans.length === 0) return `<p class="empty">No spans were recorded for this run.</p>`
  const roots = SpanTree.fromSpans(spans)
  const t0 = Math.min(...spans.map((s) => s.startTime))
  const t1 = Math.max(...spans.map((s) => s.endTime))
  const total = Math.max(t1 - t0, 0.001)
  const pct = (ms: number) => ((ms / total) * 100).toFixed(3)
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) => `<span class="tick" style="left:${(f * 100).toFixed(1)}%">${escapeHtml(fmtMs(total * f))}</span>`
    )
    .join("")
  const rows = SpanTree.flatten(roots).map(({ node, depth }) => {
    const span = node.span
    const left = span.startTime - t0
    const width = Math.max(span.durationMs, 0)
    const error = span.status === "error"
    const tooltip = [
      `${span.name} — ${fmtMs(span.durationMs)}${error ? ` — error: ${span.statusMessage ?? ""}` : ""}`,
      `span ${span.spanId}${span.parentSpanId ? ` parent ${span.parentSpanId}` : ""}`,
      ...Object.entries(span.attributes)
        .filter(([key]) => !key.startsWith("code."))
        .map(([key, value]) => `${key} = ${preview(attrText(value), 120)}`)
    ].join("\n")
    const startPct = Number(pct(left))
    const endPct = Number(pct(left + width))
    // Keep the duration label off the bar: after it, before it, or inside it when it spans the row.
    const label =
      endPct <= 85
        ? `left:calc(${endPct}% + 6px)`
        : startPct >= 15
          ? `right:calc(${(100 - startPct).toFixed(3)}% + 6px)`
          : `right:calc(${(100 - endPct).toFixed(3)}% + 6px);color:#fff`
    const interrupted = span.attributes["effect.fiber.interrupted"] === true
    return `<div class="wf-row${error ? " error" : ""}" data-span-id="${span.spanId}" data-parent-id="${span.parentSpanId ?? ""}" data-depth="${depth}" title="${escapeHtml(tooltip)}">
  <div class="wf-name" style="padding-left:${8 + depth * 16}px">${error ? `<span class="x">✗</span> ` : ""}${escapeHtml(span.name)}${error && span.statusMessage ? `<span class="err-msg">${escapeHtml(preview(span.statusMessage, 80))}</span>` : ""}</div>
  <div class="wf-track"><div class="wf-bar ${category(span)}${interrupted ? " interrupted" : ""}" style="left:${pct(left)}%;width:max(2px,${pct(width)}%)"></div><span class="wf-dur" style="${label}">${escapeHtml(fmtMs(span.durationMs))}${interrupted ? " (interrupted)" : ""}</span></div>
</div>`
  })
  const traces = new Set(spans.map((s) => s.traceId)).size
  return `<div id="waterfall" class="waterfall" role="table" aria-label="Trace waterfall">
<div class="wf-head"><div class="wf-name">span (${spans.length} spans, ${traces} trace${traces === 1 ? "" : "s"})</div><div class="wf-track axis">${ticks}</div></div>
${rows.join("\n")}
</div>`
}

const tokenChart = (figures: TokenAccount.Figures): string => {
  // The figures say how they were counted: exact, or estimated without gpt-tokenizer.
  const counted = figures.encoding === "estimate" ? "estimated" : "gpt-tokenizer o200k_base"
  const bars = [
    { label: "direct", value: figures.direct.total, cls: "direct" },
    { label: "tool search", value: figures.toolSearch.total, cls: "search" },
    { label: "code mode", value: figures.codeMode.total, cls: "code" }
  ]
  const width = 560
  const height = 280
  const top = 48
  const bottom = 40
  const left = 70
  const plotH = height - top - bottom
  const max = Math.max(...bars.map((b) => b.value), 1)
  const slot = (width - left - 20) / bars.length
  const barW = Math.min(110, slot * 0.6)
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = top + plotH - f * plotH
      return `<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 8}" y="${y + 4}" text-anchor="end" class="axis">${Math.round(max * f).toLocaleString("en-US")}</text>`
    })
    .join("")
  const rects = bars
    .map((b, i) => {
      const h = (b.value / max) * plotH
      const x = left + slot * i + (slot - barW) / 2
      const y = top + plotH - h
      return `<g class="bar ${b.cls}"><title>${b.label}: ${b.value.toLocaleString("en-US")} tokens (${counted})</title><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(h, 1).toFixed(1)}" rx="3"/><text x="${(x + barW / 2).toFixed(1)}" y="${(y - 6).toFixed(1)}" text-anchor="middle" class="value">${b.value.toLocaleString("en-US")}</text><text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" class="label">${b.label}</text></g>`
    })
    .join("")
  return `<svg id="token-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Tokens per way of working (${counted})">
<text x="${left}" y="16" class="axis">tokens (${counted})</text>${grid}${rects}</svg>`
}

const tokenSection = (figures: TokenAccount.Figures | undefined): string => {
  if (!figures) return `<p class="empty">No token account was recorded for this run.</p>`
  const n = (v: number) => v.toLocaleString("en-US")
  const row = (label: string, b: TokenAccount.Breakdown) =>
    `<tr><th scope="row">${label}</th><td>${n(b.definitions)}</td><td>${n(b.calls)}</td><td>${n(b.results)}</td><td>${n(b.read)}</td><td>${n(b.code)}</td><td>${n(b.returned)}</td><td class="total">${n(b.total)}</td></tr>`
  return `<table id="token-table" class="num">
<thead><tr><th>direct</th><th>tool search</th><th>code mode</th><th>saved % (vs direct)</th><th>saved % (vs tool search)</th></tr></thead>
<tbody><tr><td>${n(figures.direct.total)}</td><td>${n(figures.toolSearch.total)}</td><td>${n(figures.codeMode.total)}</td><td class="saved">${figures.savedVsDirect.toFixed(1)}%</td><td>${figures.savedVsToolSearch.toFixed(1)}%</td></tr></tbody>
</table>
<div class="token-grid">
${tokenChart(figures)}
<table id="token-breakdown" class="num">
<thead><tr><th></th><th>definitions</th><th>calls</th><th>results</th><th>API read</th><th>code</th><th>returned</th><th>total</th></tr></thead>
<tbody>${row("direct", figures.direct)}${row("tool search", figures.toolSearch)}${row("code mode", figures.codeMode)}</tbody>
</table>
</div>
<p class="note">${escapeHtml(Tokenizer.note())} Direct: every tool definition of every server plus every call and full result; tool search: only the searched definitions plus calls and results; code mode: the gateway's tool definitions, the API read, the code written and what it returned.</p>`
}

const toolCallSection = (calls: ReadonlyArray<ReportToolCall>): string => {
  if (calls.length === 0) return `<p class="empty">No tool calls were made.</p>`
  const rows = calls.map((call, i) => {
    const error = call.isError === true || call.error !== undefined
    const resultTokens =
      call.result === undefined
        ? ""
        : TokenAccount.count(TokenAccount.resultText(call.result)).toLocaleString("en-US")
    return `<tr class="${error ? "error" : ""}"><td>${i + 1}</td><td>${escapeHtml(call.server)}</td><td><code>${escapeHtml(call.tool)}</code></td><td>${call.durationMs === undefined ? "" : escapeHtml(fmtMs(call.durationMs))}</td><td>${error ? `<span class="x">✗</span> ${escapeHtml(call.error ?? "error")}` : "ok"}</td><td><code>${escapeHtml(preview(call.input))}</code></td><td class="num">${resultTokens}</td></tr>`
  })
  return `<table id="tool-call-table">
<thead><tr><th>#</th><th>server</th><th>tool</th><th>duration</th><th>status</th><th>input</th><th>result tokens (o200k_base)</th></tr></thead>
<tbody>${rows.join("\n")}</tbody>
</table>`
}

const style = `
:root{--fg:#1d2430;--muted:#667085;--line:#e4e7ec;--err:#d92d20;--errbg:#fef3f2;--tta:#2e90fa;--sandbox:#7a5af8;--mcp:#12b76a;--other:#98a2b3}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;background:#f8f9fb}
header{padding:20px 28px;background:#101828;color:#fff}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:#d0d5dd}
section{margin:20px 28px;padding:16px 20px;background:#fff;border:1px solid var(--line);border-radius:8px}h2{margin:0 0 12px;font-size:16px}
.waterfall{font-size:12.5px;border:1px solid var(--line);border-radius:6px;overflow:hidden}
.wf-head,.wf-row{display:grid;grid-template-columns:minmax(260px,34%) 1fr;border-bottom:1px solid var(--line)}
.wf-head{background:#f2f4f7;font-weight:600;color:var(--muted)}.wf-row:last-child{border-bottom:0}.wf-row:hover{background:#f5f8ff}
.wf-name{padding:5px 8px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-right:1px solid var(--line)}
.wf-track{position:relative;height:26px}.axis .tick{position:absolute;top:5px;transform:translateX(-50%);font-weight:400;font-size:11px;white-space:nowrap}
.axis .tick:first-child{transform:none;padding-left:4px}.axis .tick:last-child{transform:translateX(-100%);padding-right:4px}
.wf-bar{position:absolute;top:6px;height:14px;border-radius:3px;background:var(--other)}
.wf-bar.tta{background:var(--tta)}.wf-bar.sandbox{background:var(--sandbox)}.wf-bar.mcp{background:var(--mcp)}
.wf-bar.interrupted{opacity:.45;background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.6) 4px 8px)}
.wf-row.error{background:var(--errbg)}.wf-row.error .wf-bar{background:var(--err)}.wf-row.error .wf-name{color:var(--err);font-weight:600}
.wf-dur{position:absolute;top:5px;font-size:11px;color:var(--muted);white-space:nowrap}
.x{color:var(--err);font-weight:700}.err-msg{margin-left:8px;font-weight:400;font-size:11px}
.legend span{display:inline-block;margin-right:14px;font-size:12px;color:var(--muted)}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
table{border-collapse:collapse;font-size:13px}th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
table.num td,td.num{text-align:right;font-variant-numeric:tabular-nums}th{color:var(--muted);font-weight:600}
td.saved{font-weight:700;color:#067647}td.total{font-weight:600}tr.error td{background:var(--errbg)}
.token-grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin-top:14px}
#token-chart .grid{stroke:var(--line)}#token-chart text{font:12px system-ui,sans-serif;fill:var(--muted)}#token-chart .value{fill:var(--fg);font-weight:600}
#token-chart .label{fill:var(--fg)}#token-chart .direct rect{fill:#f04438}#token-chart .search rect{fill:#f79009}#token-chart .code rect{fill:#12b76a}
.note,.empty{color:var(--muted);font-size:12px}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
`

/** The report as one HTML string. */
export const render = (run: Run): string => {
  const spans = run.spans
  const calls = run.toolCalls ?? toolCallsFromSpans(spans)
  const title = run.title ?? "TTA run report"
  const start = run.generatedAt ?? (spans.length > 0 ? Math.min(...spans.map((s) => s.startTime)) : 0)
  const duration =
    spans.length > 0
      ? Math.max(...spans.map((s) => s.endTime)) - Math.min(...spans.map((s) => s.startTime))
      : 0
  const errors = spans.filter((s) => s.status === "error").length
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>${start > 0 ? `${escapeHtml(new Date(start).toISOString())} · ` : ""}${escapeHtml(fmtMs(duration))} · ${spans.length} spans · ${errors} error span${errors === 1 ? "" : "s"} · ${calls.length} tool call${calls.length === 1 ? "" : "s"}</p></header>
<section id="trace"><h2>Trace waterfall</h2>
<p class="legend"><span><i style="background:var(--tta)"></i>primitive</span><span><i style="background:var(--sandbox)"></i>sandbox</span><span><i style="background:var(--mcp)"></i>MCP</span><span><i style="background:var(--other)"></i>other</span><span><i style="background:var(--err)"></i>error</span></p>
${waterfall(spans)}
</section>
<section id="tokens"><h2>Token account</h2>
${tokenSection(run.tokens)}
</section>
<section id="tool-calls"><h2>Tool calls</h2>
${toolCallSection(calls)}
</section>
</body>
</html>
`
}

/** Writes {@link render}'s HTML to `path` (creating its directory). */
export const writeReport = Effect.fn("Report.writeReport")(function* (path: string, run: Run) {
  if (typeof path !== "string" || path === "") {
    return yield* new ReportError({
      path: String(path),
      message: "writeReport: path must be a non-empty string"
    })
  }
  if (!run || !Array.isArray(run.spans)) {
    return yield* new ReportError({
      path,
      message: "writeReport: run.spans must be an array of finished spans"
    })
  }
  const html = render(run)
  yield* Effect.tryPromise({
    try: async () => {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, html, "utf8")
    },
    catch: (cause) =>
      new ReportError({ path, message: `writeReport: cannot write ${path}: ${String(cause)}` })
  })
  return path
})
