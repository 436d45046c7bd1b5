/**
 * Text views of durable workflows for `tta workflows ls|show`: a fixed-width table and a journal
 * listing. Pure functions of @tta/durable's Model (type-only import: nothing is loaded).
 */
import type { Model } from "@tta/durable"

const iso = (ms: number | undefined) =>
  ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** One line of JSON, cut to `max` characters. */
export const preview = (value: unknown, max = 100): string => {
  if (value === undefined) return ""
  const text = JSON.stringify(value) ?? String(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

const waitText = (w: Model.Wait) =>
  `${w.kind} ${w.name}${w.kind === "sleep" && w.until !== undefined ? ` until ${iso(w.until)}` : ""}`

export const table = (rows: ReadonlyArray<Model.ExecutionSummary>): string => {
  if (rows.length === 0) return "no workflows"
  const head = ["ID", "NAME", "VERSION", "STATUS", "STARTED (UTC)", "WAITING ON"]
  const cells = rows.map((r) => [
    r.id,
    r.workflow,
    r.version,
    r.status,
    iso(r.startedAt),
    r.waitingOn.map(waitText).join(", ") || "-"
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    c
      .map((s, i) => (i === c.length - 1 ? s : pad(s, widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(head), ...cells.map(line)].join("\n")
}

const errorText = (error: unknown): string => {
  if (error === undefined || error === null) return "?"
  if (typeof error === "string") return error
  const e = error as { message?: unknown; _tag?: unknown }
  if (typeof e.message === "string") return e._tag ? `${String(e._tag)}: ${e.message}` : e.message
  return preview(error)
}

const activityLine = (a: Model.ActivityEntry): string => {
  const mark = a.status === "succeeded" ? "✓" : a.status === "failed" ? "✗" : "…"
  const what =
    a.status === "succeeded"
      ? preview(a.result)
      : a.status === "failed"
        ? `failed: ${errorText(a.error)}`
        : "running (interrupted if no runner is up)"
  const took = a.finishedAt === undefined ? "" : `  ${Math.max(0, a.finishedAt - a.startedAt)} ms`
  return `  ${mark} ${a.name}  attempt ${a.attempt}  ${iso(a.startedAt)}${took}  ${what}`
}

/**
 * What a code-mode approval asks for: `codeExecution({ durable })` names its approvals `<step>/call-<k>`
 * and journals the call in `<step>/…/attempt-<k>` (server, tool, arguments).
 */
export const askedCall = (d: Model.ExecutionDetail, approval: string): string | undefined => {
  const m = /^(.*)\/call-(\d+)$/.exec(approval)
  if (!m) return undefined
  const attempt = d.activities.find(
    (a) =>
      (a.name.startsWith(`${m[1]}/`) || a.name.includes(`/${m[1]}/`)) &&
      a.name.endsWith(`/attempt-${m[2]}`) &&
      a.status === "succeeded"
  )
  const call = (
    attempt?.result as { attempt?: { _tag?: string; call?: { server: string; tool: string; args: unknown } } }
  )?.attempt
  return call?._tag === "NeedsApproval" && call.call
    ? `${call.call.server}/${call.call.tool} ${preview(call.call.args, 200)}`
    : undefined
}

/** The call a wait's `details` name (code mode journals `{ server, tool, args }` with its approvals). */
const detailsCall = (details: unknown): string | undefined => {
  const c = details as { server?: unknown; tool?: unknown; args?: unknown } | null | undefined
  return typeof c?.server === "string" && typeof c.tool === "string"
    ? `${c.server}/${c.tool} ${preview(c.args, 200)}`
    : undefined
}

const resolutionLine = (d: Model.ExecutionDetail, w: Model.Resolution): string => {
  // From the wait's own details; executions journaled before waits had details: from the attempt.
  const call = detailsCall(w.details) ?? (w.kind === "approval" ? askedCall(d, w.name) : undefined)
  const what = `${w.kind} ${w.name}${
    call ? ` (call ${call})` : w.details !== undefined ? ` (${preview(w.details, 200)})` : ""
  }`
  const asked = w.requestedAt === undefined ? "" : ` (asked ${iso(w.requestedAt)})`
  const value = w.value === undefined ? "" : ` value ${preview(w.value)}`
  if (w.resolvedAt === undefined) return `  … ${what} waiting${asked}`
  if (w.kind === "signal")
    return `  ✓ ${what} delivered ${iso(w.resolvedAt)}${w.by ? ` by ${w.by}` : ""}${value}`
  return w.approved
    ? `  ✓ ${what} approved by ${w.by ?? "?"} at ${iso(w.resolvedAt)}${value}${asked}`
    : `  ✗ ${what} rejected by ${w.by ?? "?"} at ${iso(w.resolvedAt)}${w.reason ? `: ${w.reason}` : ""}${asked}`
}

export const journal = (d: Model.ExecutionDetail): string => {
  const lines = [
    `${d.id}  ${d.workflow} v${d.version}  ${d.status}  started ${iso(d.startedAt)} UTC${d.finishedAt ? `  finished ${iso(d.finishedAt)} UTC` : ""}`,
    `input: ${preview(d.input, 160)}`
  ]
  if (d.waitingOn.length > 0) lines.push(`waiting on: ${d.waitingOn.map(waitText).join(", ")}`)
  const steps = d.activities.filter((a) => a.kind === "step")
  const compensations = d.activities.filter((a) => a.kind === "compensation")
  lines.push("activities:")
  if (steps.length === 0) lines.push("  (none yet)")
  for (const a of steps) lines.push(activityLine(a))
  if (compensations.length > 0) {
    lines.push("compensations:")
    for (const a of compensations) lines.push(activityLine(a))
  }
  if (d.waits.length > 0) {
    lines.push("approvals and signals:")
    for (const w of d.waits) lines.push(resolutionLine(d, w))
  }
  if (d.cancelRequested && d.status !== "cancelled") lines.push("cancel requested")
  if (d.result !== undefined) lines.push(`result: ${preview(d.result, 400)}`)
  if (d.error !== undefined) lines.push(`error: ${errorText(d.error)}`)
  return lines.join("\n")
}
