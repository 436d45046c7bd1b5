/**
 * What `pnpm demo --runners N` prints: each step with the runner that ran it, the kill, then which
 * runner each triage ran on and how long the failover took — or one JSON document.
 */

import type { RunDirs } from "../Servers.ts"
import { type RunnerEvent, type RunnersReport, runRunnersDemo } from "./RunnersDemo.ts"

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

const summary = (r: RunnersReport) => {
  const runOf = Object.fromEntries(Object.entries(r.executions).map(([run, id]) => [id, run]))
  const lines = [
    "\n## Where each triage ran\n",
    "| triage | execution | ran on (in order) | finished on | outcome |",
    "|---|---|---|---|---|"
  ]
  for (const [run, id] of Object.entries(r.executions)) {
    const pids = (r.ranOn[id] ?? []).map((p) => (p === r.killed.pid ? `${p} (killed)` : String(p)))
    lines.push(
      `| ${run} | ${id.slice(0, 8)} | ${pids.join(" → ") || "-"} | ${r.finishedOn[id] ?? "-"} | ${r.outcomes[run] ?? "?"} |`
    )
  }
  const taken = r.killed.unfinished.map((id) => runOf[id] ?? id)
  lines.push(
    `\nRunner ${r.killed.pid} was killed with ${taken.join(", ") || "nothing"} unfinished; ` +
      (r.failoverMs === undefined
        ? "no other runner had to resume anything."
        : `another runner resumed its work ${(r.failoverMs / 1000).toFixed(1)} s later (its shards moved to the others, which replayed the journal).`)
  )
  return lines.join("\n")
}

/** Runs the multi-runner demo and prints it; true when every triage succeeded. */
export const runnersDemo = async (dirs: RunDirs, n: number, json: boolean): Promise<boolean> => {
  const say = (text: string) => {
    if (!json) console.log(text)
  }
  say(`# TTA demo --runners ${n}: triages spread over ${n} runner processes on one PostgreSQL\n`)
  try {
    const report = await runRunnersDemo(dirs, n, 2 * n, {
      onEvent: (e: RunnerEvent) =>
        say(
          `  [${e.pid}] ${e.status === "ok" ? "✓" : e.status === "failed" ? "✗" : "·"} ${pad(e.step, 24)} ${e.run.slice(0, 8)}  ${e.detail.slice(0, 90)}`
        ),
      onNote: (text) => say(`  ! ${text}`)
    })
    if (json) console.log(JSON.stringify(report, null, 2))
    else console.log(summary(report))
    return Object.values(report.outcomes).every((o) => o === "Succeeded")
  } catch (e) {
    console.error(
      `demo --runners failed: ${e instanceof Error && e.message ? e.message : (JSON.stringify(e) ?? String(e))}`
    )
    return false
  }
}
