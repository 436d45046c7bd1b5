// Agent code: page the on-call engineer (server-everything's echo stands in for the pager).
import { echo } from "./servers/everything/index.ts"

const input = __INPUT__ as { incident: string; critical: string[]; report: string; simulateOutage: boolean }
if (input.simulateOutage) throw new Error("pager gateway unreachable (injected failure)")
const page = await echo({
  message: `[page] ${input.incident}: critical ${input.critical.join(", ") || "none"}; see ${input.report}`
})
export default { sent: true, page }
