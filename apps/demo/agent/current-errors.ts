// Agent code: the current error rate of every service. The server aggregates the instances
// (max by service), so one small answer comes back.
import { query } from "./servers/metrics/index.ts"

const result = await query({ query: "max by (service) (error_rate)" })
if (result.data.resultType !== "vector") throw new Error(`expected a vector, got ${result.data.resultType}`)
const rates: Record<string, number> = {}
for (const sample of result.data.result) rates[sample.metric.service ?? "?"] = Number(sample.value[1])
export default rates
