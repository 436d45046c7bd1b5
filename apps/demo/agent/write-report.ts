// Agent code: write the incident report as markdown with the filesystem server.
import { createDirectory, writeFile } from "./servers/filesystem/index.ts"

const input = __INPUT__ as {
  dir: string
  runId: string
  responses: Array<{
    service: string
    severity: string
    summary: string
    action: string
    runbook?: { id: string; section: string; excerpt: string }
  }>
}
const order = ["critical", "warning", "resolved", "ok"]
const rows = [...input.responses].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))
const count = (severity: string) => rows.filter((r) => r.severity === severity).length
const runbooks = new Map(
  rows.flatMap((r) => (r.runbook ? [[r.runbook.id + r.runbook.section, r.runbook] as const] : []))
)
const lines = [
  `# Incident triage ${input.runId}`,
  "",
  `${count("critical")} critical, ${count("warning")} warning, ${count("resolved")} resolved, ${count("ok")} ok.`,
  "",
  "| service | severity | what we saw | action |",
  "|---|---|---|---|",
  ...rows
    .filter((r) => r.severity !== "ok")
    .map((r) => `| ${r.service} | ${r.severity} | ${r.summary} | ${r.action} |`),
  "",
  "## Runbook",
  "",
  ...[...runbooks.values()].flatMap((r) => [`From \`${r.id}\` (${r.section || "top"}):`, "", r.excerpt, ""])
]
const path = `${input.dir}/incident-${input.runId}.md`
await createDirectory({ path: input.dir })
await writeFile({ path, content: lines.join("\n") })
export default { path, bytes: lines.join("\n").length }
