/**
 * Text views of durable workflows for `tta workflows ls|show`: a fixed-width table and a journal
 * listing. Pure functions of the data, so the CLI's output is tested without a store.
 */

export type Status = "running" | "suspended" | "succeeded" | "failed" | "cancelled"

export interface Summary {
  readonly id: string
  readonly name: string
  readonly version: string
  readonly status: Status
  /** Epoch milliseconds. */
  readonly startedAt: number
  /** Approvals and signals the workflow waits on (`approval page-on-call`, `signal deploy`). */
  readonly waitingOn: ReadonlyArray<string>
}

export interface Attempt {
  readonly attempt: number
  readonly ok: boolean
  /** The stored result (JSON) or the failure's message. */
  readonly result?: unknown
  readonly error?: string | undefined
  readonly at?: number | undefined
}

export interface ActivityEntry {
  readonly name: string
  readonly attempts: ReadonlyArray<Attempt>
}

export interface CompensationEntry {
  readonly name: string
  readonly ok: boolean
  readonly at?: number | undefined
  readonly error?: string | undefined
}

export interface WaitEntry {
  readonly kind: "approval" | "signal"
  readonly name: string
  readonly state: "waiting" | "approved" | "rejected" | "signalled"
  /** What the workflow asked for (an approval names server, tool and arguments). */
  readonly details?: unknown
  readonly by?: string | undefined
  readonly at?: number | undefined
  readonly value?: unknown
  readonly reason?: string | undefined
}

export interface Journal {
  readonly summary: Summary
  readonly input?: unknown
  readonly result?: unknown
  readonly error?: string | undefined
  readonly activities: ReadonlyArray<ActivityEntry>
  readonly compensations: ReadonlyArray<CompensationEntry>
  readonly waits: ReadonlyArray<WaitEntry>
}

const iso = (ms: number | undefined) =>
  ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** One line of JSON, cut to `max` characters. */
export const preview = (value: unknown, max = 100): string => {
  if (value === undefined) return ""
  const text = JSON.stringify(value) ?? String(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export const table = (rows: ReadonlyArray<Summary>): string => {
  if (rows.length === 0) return "no workflows"
  const head = ["ID", "NAME", "VERSION", "STATUS", "STARTED (UTC)", "WAITING ON"]
  const cells = rows.map((r) => [
    r.id,
    r.name,
    r.version,
    r.status,
    iso(r.startedAt),
    r.waitingOn.join(", ") || "-"
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    c
      .map((s, i) => (i === c.length - 1 ? s : pad(s, widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(head), ...cells.map(line)].join("\n")
}

const mark = (ok: boolean) => (ok ? "✓" : "✗")

const waitLine = (w: WaitEntry): string => {
  const what = `${w.kind} ${w.name}`
  const details = w.details === undefined ? "" : ` ${preview(w.details, 160)}`
  switch (w.state) {
    case "waiting":
      return `  … ${what} waiting${details}`
    case "approved":
      return `  ✓ ${what} approved by ${w.by ?? "?"} at ${iso(w.at)}${w.value === undefined ? "" : ` value ${preview(w.value)}`}${details}`
    case "rejected":
      return `  ✗ ${what} rejected by ${w.by ?? "?"} at ${iso(w.at)}${w.reason ? `: ${w.reason}` : ""}${details}`
    case "signalled":
      return `  ✓ ${what} at ${iso(w.at)}${w.by ? ` by ${w.by}` : ""}${w.value === undefined ? "" : ` value ${preview(w.value)}`}`
  }
}

export const journal = (j: Journal): string => {
  const s = j.summary
  const lines = [
    `${s.id}  ${s.name} v${s.version}  ${s.status}  started ${iso(s.startedAt)} UTC`,
    ...(j.input === undefined ? [] : [`input: ${preview(j.input, 160)}`]),
    "activities:"
  ]
  if (j.activities.length === 0) lines.push("  (none yet)")
  for (const a of j.activities) {
    for (const t of a.attempts) {
      const outcome = t.ok ? preview(t.result) : `failed: ${t.error ?? "?"}`
      lines.push(`  ${mark(t.ok)} ${a.name}  attempt ${t.attempt}${t.at ? `  ${iso(t.at)}` : ""}  ${outcome}`)
    }
  }
  if (j.compensations.length > 0) {
    lines.push("compensations:")
    for (const c of j.compensations)
      lines.push(
        `  ${c.ok ? "↺" : "✗"} ${c.name}${c.at ? `  ${iso(c.at)}` : ""}${c.error ? `  ${c.error}` : ""}`
      )
  }
  if (j.waits.length > 0) {
    lines.push("approvals and signals:")
    for (const w of j.waits) lines.push(waitLine(w))
  }
  if (j.result !== undefined) lines.push(`result: ${preview(j.result, 400)}`)
  if (j.error !== undefined) lines.push(`error: ${j.error}`)
  return lines.join("\n")
}
