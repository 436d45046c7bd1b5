/**
 * What `pnpm demo --crash` prints: each worker's steps as they finish, the kill, the approval given
 * with the CLI, then which steps came from the journal and which ran — or one JSON document.
 */
import { join } from "node:path"
import { type CrashReport, runCrashDemo } from "./Crash.ts"
import type { StepEvent } from "./Progress.ts"
import type { RunDirs } from "./Servers.ts"

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const mark = { ok: "✓", failed: "✗", compensated: "↺", info: "·" } as const

const eventLine = (e: StepEvent) => {
  const calls = e.toolCalls > 0 ? `${e.toolCalls} call${e.toolCalls === 1 ? "" : "s"}` : ""
  const ms = e.durationMs > 0 ? `${Math.round(e.durationMs)} ms` : ""
  return `  ${mark[e.status]} ${pad(e.step, 24)} ${pad(calls, 9)} ${pad(ms, 8)} ${e.detail}`
}

const list = (title: string, names: ReadonlyArray<string>) =>
  `${title} (${names.length}):\n${names.map((n) => `  ${n}`).join("\n") || "  none"}`

const summary = (r: CrashReport) =>
  [
    "\n## Resume\n",
    list("Taken from the journal, not run again", r.replayed),
    list("Interrupted by the kill, so run again", r.ranAgain),
    list("Run for the first time by the second worker", r.ranAfterRestart),
    `\nResult: critical ${r.result.critical.join(", ") || "none"} · warning ${r.result.warning.join(", ") || "none"} · paged: ${r.result.paged}`,
    `Report: ${r.result.report.path}`,
    `\n## Journal (tta workflows show ${r.executionId} --store …)\n`,
    ...journalHead(r.journal)
  ].join("\n")

/** The journal's first line and its approvals; the activities are listed above. */
const journalHead = (journal: string) => {
  const lines = journal.trimEnd().split("\n")
  const approvals = lines.indexOf("approvals and signals:")
  return [
    lines[0] ?? "",
    "  … (every activity with its attempt, time and result)",
    ...(approvals >= 0 ? lines.slice(approvals).filter((l) => !l.startsWith("result:")) : [])
  ]
}

/** Runs the crash demo and prints it; true when it finished. */
export const crashDemo = async (dirs: RunDirs, json: boolean): Promise<boolean> => {
  const say = (text: string) => {
    if (!json) console.log(text)
  }
  say("# TTA demo --crash: a durable triage survives the death of its worker\n")
  say(
    `Journal: ${join(dirs.root, "durable.db")} (embedded store)\n\nWorker 1 starts the servers and runs the triage…`
  )
  try {
    const report = await runCrashDemo(dirs, {
      onEvent: (_worker, e) => say(eventLine(e)),
      onNote: (text) => say(`  ! ${text.replaceAll("\n", "\n    ")}`)
    })
    if (json) console.log(JSON.stringify(report, null, 2))
    else console.log(summary(report))
    return true
  } catch (e) {
    console.error(`demo --crash failed: ${e instanceof Error ? e.message : String(e)}`)
    return false
  }
}
