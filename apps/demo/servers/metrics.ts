// MCP server standing in for Grafana/Prometheus: Prometheus-style queries over deterministic
// synthetic telemetry for a dozen services (see metrics/series.ts for the scenario and
// metrics/promql.ts for the supported PromQL subset). Run: node apps/demo/servers/metrics.ts
// The clock is frozen (METRICS_NOW, default 2026-01-15T12:00:00Z) so every run answers alike.
import { setTimeout as sleep } from "node:timers/promises"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import * as z from "zod"
import { instantQuery, MAX_POINTS_PER_SERIES, rangeQuery } from "./metrics/api.ts"
import { DEFAULT_NOW, METRICS, makeScenario, RETENTION_SECONDS, SERVICES } from "./metrics/series.ts"

const nowEnv = process.env.METRICS_NOW
const now = nowEnv ? (/^\d+$/.test(nowEnv) ? Number(nowEnv) : Date.parse(nowEnv) / 1000) : DEFAULT_NOW
if (!Number.isFinite(now)) throw new Error(`METRICS_NOW: cannot parse ${JSON.stringify(nowEnv)}`)
const scenario = makeScenario(now)
const nowIso = new Date(now * 1000).toISOString()

const time = z
  .union([z.number(), z.string()])
  .describe('Unix seconds, RFC 3339, or relative to the server clock: "now", "now-1h", "now-30m"')
const labels = z.record(z.string(), z.string())
const promValue = z.tuple([z.number(), z.string()]).describe("[unix seconds, value as a string]")

const readOnly = { readOnlyHint: true, openWorldHint: false, idempotentHint: true } as const

// Large answers go out once as structured data and once as text, as the spec recommends for
// clients that only read content.
const reply = <T extends Record<string, unknown>>(value: T) => ({
  content: [{ type: "text" as const, text: JSON.stringify(value) }],
  structuredContent: value
})

const server = new McpServer({ name: "metrics", version: "0.1.0" })

server.registerTool(
  "query",
  {
    title: "Prometheus instant query",
    description:
      `Evaluate a PromQL expression at one instant (like GET /api/v1/query). Server clock: ${nowIso}. ` +
      'Supported subset: metric{label="v",label!="v",label=~"re",label!~"re"}; rate/increase/avg_over_time/' +
      "max_over_time/min_over_time(sel[5m]); sum/avg/min/max/count [by (labels)] (expr); topk/bottomk(k, expr); " +
      "+ - * / between vectors (matched on identical labels) or scalars; > < >= <= == != as filters. " +
      "Metrics: http_requests_total{status}, http_errors_total, error_rate, latency_p99_ms, cpu_usage, memory_bytes; " +
      "labels service, instance. Example: max by (service) (error_rate) > 0.05",
    inputSchema: {
      query: z.string().describe("PromQL expression (subset, see description)"),
      time: time.optional().describe("Evaluation instant; defaults to the server clock (now)")
    },
    outputSchema: {
      status: z.literal("success"),
      data: z.union([
        z.object({
          resultType: z.literal("vector"),
          result: z.array(z.object({ metric: labels, value: promValue }))
        }),
        z.object({ resultType: z.literal("scalar"), result: promValue })
      ])
    },
    annotations: readOnly
  },
  async ({ query, time }) => reply(instantQuery(scenario, query, time))
)

server.registerTool(
  "query_range",
  {
    title: "Prometheus range query",
    description:
      "Evaluate a PromQL expression over a time range (like GET /api/v1/query_range); same query subset as `query`. " +
      `Data covers the ${RETENTION_SECONDS / 86_400} days up to the server clock (${nowIso}), scraped every 15s. ` +
      `At most ${MAX_POINTS_PER_SERIES} points per series. Example: error_rate{service="payments"} from now-1d to now, step 60s.`,
    inputSchema: {
      query: z.string().describe("PromQL expression (subset, see `query`)"),
      start: time.describe("Range start"),
      end: time.describe("Range end"),
      step: z.union([z.number(), z.string()]).describe('Resolution: seconds, or a duration like "60s", "5m"')
    },
    outputSchema: {
      status: z.literal("success"),
      data: z.object({
        resultType: z.literal("matrix"),
        result: z.array(z.object({ metric: labels, values: z.array(promValue) }))
      })
    },
    annotations: readOnly
  },
  async ({ query, start, end, step }) => reply(rangeQuery(scenario, query, start, end, step))
)

server.registerTool(
  "list_services",
  {
    title: "List services",
    description: "The services that report metrics, with their tier, owning team and instances.",
    inputSchema: {},
    outputSchema: {
      services: z.array(
        z.object({ name: z.string(), tier: z.string(), team: z.string(), instances: z.array(z.string()) })
      )
    },
    annotations: readOnly
  },
  async () =>
    reply({
      services: SERVICES.map((s) => ({
        name: s.name,
        tier: s.tier,
        team: s.team,
        instances: Array.from({ length: s.instances }, (_, i) => `${s.name}-${i}`)
      }))
    })
)

server.registerTool(
  "list_metrics",
  {
    title: "List metrics",
    description: "Metric names with their type, help text and labels.",
    inputSchema: {},
    outputSchema: {
      metrics: z.array(
        z.object({
          name: z.string(),
          type: z.enum(["counter", "gauge"]),
          help: z.string(),
          labels: z.array(z.string())
        })
      )
    },
    annotations: readOnly
  },
  async () => reply({ metrics: METRICS.map((m) => ({ ...m, labels: [...m.labels] })) })
)

// Per-key call counters for flaky_check: failures are scripted, so retry and circuit-breaker
// demos behave the same on every run.
const calls = new Map<string, number>()

server.registerTool(
  "flaky_check",
  {
    title: "Flaky health check",
    description:
      "A deliberately unreliable health check for retry / timeout / circuit-breaker demos. Per key, the first " +
      "`failFirst` calls fail (default 2), or, when `pattern` is given, call n fails when pattern[n % length] is " +
      "'F' (e.g. \"FFS\"). `delayMs` makes the call slow. `reset` clears the key's call count first. On success it " +
      "reports the service's current error rate.",
    inputSchema: {
      key: z.string().describe("Independent call counter key, e.g. a service name"),
      service: z.string().optional().describe("Service whose health to report; defaults to key"),
      failFirst: z.number().int().min(0).optional().describe("Number of initial calls that fail (default 2)"),
      pattern: z
        .string()
        .regex(/^[FS]+$/)
        .optional()
        .describe("Failure pattern of F (fail) and S (succeed), applied cyclically per call"),
      delayMs: z.number().int().min(0).max(60_000).optional().describe("Delay before answering"),
      reset: z.boolean().optional().describe("Reset the key's call count before this call")
    },
    outputSchema: {
      key: z.string(),
      attempt: z.number(),
      service: z.string(),
      healthy: z.boolean(),
      errorRate: z.number().nullable()
    },
    annotations: { readOnlyHint: true, openWorldHint: false, idempotentHint: false }
  },
  async ({ key, service, failFirst, pattern, delayMs, reset }) => {
    if (reset) calls.delete(key)
    const n = calls.get(key) ?? 0
    calls.set(key, n + 1)
    if (delayMs) await sleep(delayMs)
    const fails = pattern ? pattern[n % pattern.length] === "F" : n < (failFirst ?? 2)
    if (fails) {
      throw new Error(`flaky_check: simulated failure for key "${key}" on attempt ${n + 1}`)
    }
    const name = service ?? key
    const r = instantQuery(scenario, `max(error_rate{service="${name.replace(/["\\]/g, "")}"})`)
    const first = r.data.resultType === "vector" ? r.data.result[0] : undefined
    const errorRate = first ? Number(first.value[1]) : null
    return reply({
      key,
      attempt: n + 1,
      service: name,
      healthy: errorRate !== null && errorRate < 0.05,
      errorRate
    })
  }
)

await server.connect(new StdioServerTransport())
