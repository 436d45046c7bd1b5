/**
 * The token benchmark's tasks, in the spirit of Anthropic's "Code execution with MCP": each is
 * done by a scripted agent three ways on the real servers, and every way must give the same answer.
 *
 * - `direct(call)` is what an agent with every tool definition in context does: it calls the tools
 *   one by one and reads every full result (here the scripted "reading" is plain host code).
 *   The tool-search way makes the same calls after searching for the tools' definitions.
 * - `code` is the program the agent writes in code mode; it makes the same calls inside the
 *   sandbox and returns only the answer.
 * - `tools` are the tools the task needs; `searches` the queries an agent would type to find them.
 * - `probe` is a short program a code-mode agent runs first when its code parses data whose format
 *   neither the question nor the tools' types show (a file's lines, a text result): direct and tool
 *   search read that data in full, code mode must look at a sample before writing the parser.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"

export type Call = (server: string, tool: string, args: Record<string, unknown>) => Promise<any>

export interface Task {
  readonly name: string
  /** What kind of work, in the words of the issue. */
  readonly kind: string
  readonly question: string
  /** The tools the work needs, `server/tool`, one search query each. */
  readonly tools: ReadonlyArray<{ readonly tool: string; readonly search: string }>
  readonly direct: (call: Call, env: TaskEnv) => Promise<unknown>
  readonly code: (env: TaskEnv) => string
  /** The sample a code-mode agent looks at before writing `code` (see above); its cost is discovery. */
  readonly probe?: (env: TaskEnv) => string
}

/** A probe: the first lines of a text file on server-filesystem. */
export const headProbe = (
  path: string,
  lines = 2
) => `import { readTextFile } from "./servers/filesystem/index.ts"
export default (await readTextFile({ path: ${JSON.stringify(path)}, head: ${lines} })).content`

export interface TaskEnv {
  /** The directory server-filesystem serves. */
  readonly files: string
}

export const SERVICES_TEAM_PREFIX = "svc:"

// Deterministic data the filesystem tasks read: an on-call roster and a large access log.
export const seedFiles = (files: string) => {
  const teams = ["platform", "identity", "payments", "commerce", "fulfilment", "growth", "discovery"]
  const people = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret"]
  writeFileSync(
    join(files, "oncall.csv"),
    `${["team,person,phone", ...teams.map((t, i) => `${t},${people[i]},+1-555-010${i}`)].join("\n")}\n`
  )
  const services = [
    "api-gateway",
    "auth",
    "billing",
    "catalog",
    "checkout",
    "inventory",
    "orders",
    "payments",
    "search"
  ]
  const lines: Array<string> = []
  let x = 12345
  const rand = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return x / 0x100000000
  }
  const start = Date.parse("2026-01-15T11:00:00Z")
  for (let i = 0; i < 12_000; i++) {
    const service = services[Math.floor(rand() * services.length)]!
    const bad = service === "payments" ? 0.3 : service === "checkout" ? 0.06 : 0.004
    const status = rand() < bad ? [500, 502, 503][Math.floor(rand() * 3)] : rand() < 0.02 ? 404 : 200
    const t = new Date(start + i * 300).toISOString()
    lines.push(
      `${t} service=${service} method=${rand() < 0.7 ? "GET" : "POST"} path=/api/${service}/${Math.floor(rand() * 500)} status=${status} latency_ms=${Math.round(20 + rand() * 400)}`
    )
  }
  writeFileSync(join(files, "access.log"), `${lines.join("\n")}\n`)
}

const sortBy = <T>(xs: Array<T>, key: (x: T) => string) => xs.sort((a, b) => key(a).localeCompare(key(b)))

export const tasks: ReadonlyArray<Task> = [
  {
    name: "error-history",
    kind: "large result that only needs filtering",
    question:
      "Which services were above a 5% error rate at some point in the last 24 h, and for how many minutes?",
    tools: [{ tool: "metrics/query_range", search: "error rate over a time range" }],
    direct: async (call) => {
      const r = await call("metrics", "query_range", {
        query: "error_rate",
        start: "now-1d",
        end: "now",
        step: 60
      })
      const minutes = new Map<string, Set<number>>()
      for (const s of r.data.result) {
        for (const [t, v] of s.values) {
          if (Number(v) > 0.05) {
            const set = minutes.get(s.metric.service) ?? new Set<number>()
            set.add(t)
            minutes.set(s.metric.service, set)
          }
        }
      }
      return sortBy(
        [...minutes].map(([service, set]) => ({ service, minutes: set.size })),
        (x) => x.service
      )
    },
    code: () => `import { queryRange } from "./servers/metrics/index.ts"
const r = await queryRange({ query: "error_rate", start: "now-1d", end: "now", step: 60 })
const minutes = new Map<string, Set<number>>()
for (const s of r.data.result)
  for (const [t, v] of s.values)
    if (Number(v) > 0.05) minutes.set(s.metric.service!, (minutes.get(s.metric.service!) ?? new Set()).add(t))
export default [...minutes].map(([service, set]) => ({ service, minutes: set.size })).sort((a, b) => a.service.localeCompare(b.service))`
  },
  {
    name: "latency-now-vs-median",
    kind: "large result that only needs filtering",
    question: "Which services' worst instance has a p99 latency now above twice its median of the last 6 h?",
    tools: [{ tool: "metrics/query_range", search: "latency over a time range" }],
    direct: async (call) => {
      const r = await call("metrics", "query_range", {
        query: "latency_p99_ms",
        start: "now-6h",
        end: "now",
        step: 60
      })
      const byService = new Map<string, Map<number, number>>()
      for (const s of r.data.result) {
        const m = byService.get(s.metric.service) ?? new Map<number, number>()
        byService.set(s.metric.service, m)
        for (const [t, v] of s.values) m.set(t, Math.max(m.get(t) ?? 0, Number(v)))
      }
      const out: Array<string> = []
      for (const [service, m] of byService) {
        const values = [...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])
        const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
        if (values.at(-1)! > 2 * median) out.push(service)
      }
      return out.sort()
    },
    code: () => `import { queryRange } from "./servers/metrics/index.ts"
const r = await queryRange({ query: "latency_p99_ms", start: "now-6h", end: "now", step: 60 })
const byService = new Map<string, Map<number, number>>()
for (const s of r.data.result) {
  const m = byService.get(s.metric.service!) ?? new Map<number, number>()
  byService.set(s.metric.service!, m)
  for (const [t, v] of s.values) m.set(t, Math.max(m.get(t) ?? 0, Number(v)))
}
const out: string[] = []
for (const [service, m] of byService) {
  const values = [...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  if (values.at(-1)! > 2 * median) out.push(service)
}
export default out.sort()`
  },
  {
    name: "oncall-join",
    kind: "joining data from two servers",
    question: "Who is on call for each service above a 5% error rate right now?",
    tools: [
      { tool: "metrics/query", search: "prometheus instant query" },
      { tool: "metrics/list_services", search: "list services team" },
      { tool: "filesystem/read_text_file", search: "read text file contents" }
    ],
    direct: async (call, env) => {
      const hot = await call("metrics", "query", { query: "max by (service) (error_rate) > 0.05" })
      const { services } = await call("metrics", "list_services", {})
      const csv = await call("filesystem", "read_text_file", { path: join(env.files, "oncall.csv") })
      const text: string = typeof csv === "string" ? csv : csv.content
      const roster = new Map(
        text
          .trim()
          .split("\n")
          .slice(1)
          .map((l) => l.split(",") as [string, string, string])
          .map(([t, p]) => [t, p])
      )
      const team = new Map(services.map((s: { name: string; team: string }) => [s.name, s.team]))
      return hot.data.result.map((s: { metric: { service: string } }) => ({
        service: s.metric.service,
        team: team.get(s.metric.service),
        oncall: roster.get(team.get(s.metric.service) as string)
      }))
    },
    probe: (env) => headProbe(join(env.files, "oncall.csv")),
    code: (env) => `import { listServices, query } from "./servers/metrics/index.ts"
import { readTextFile } from "./servers/filesystem/index.ts"
const [hot, { services }, csv] = await Promise.all([
  query({ query: "max by (service) (error_rate) > 0.05" }),
  listServices({}),
  readTextFile({ path: ${JSON.stringify(join(env.files, "oncall.csv"))} })
])
const roster = new Map(csv.content.trim().split("\\n").slice(1).map((l) => l.split(",")).map(([t, p]) => [t, p]))
const team = new Map(services.map((s) => [s.name, s.team]))
if (hot.data.resultType !== "vector") throw new Error("expected a vector")
export default hot.data.result.map((s) => ({ service: s.metric.service, team: team.get(s.metric.service!), oncall: roster.get(team.get(s.metric.service!)!) }))`
  },
  {
    name: "per-instance-loop",
    kind: "a loop of many small calls",
    question: "Which instances use more than 45% of a core right now (one query per instance)?",
    tools: [
      { tool: "metrics/list_services", search: "list services instances" },
      { tool: "metrics/query", search: "prometheus instant query" }
    ],
    direct: async (call) => {
      const { services } = await call("metrics", "list_services", {})
      const busy: Array<{ instance: string; cpu: number }> = []
      for (const s of services as Array<{ instances: Array<string> }>) {
        for (const instance of s.instances) {
          const r = await call("metrics", "query", { query: `cpu_usage{instance="${instance}"}` })
          const cpu = Number(r.data.result[0].value[1])
          if (cpu > 0.45) busy.push({ instance, cpu })
        }
      }
      return busy.sort((a, b) => b.cpu - a.cpu)
    },
    code: () => `import { listServices, query } from "./servers/metrics/index.ts"
const { services } = await listServices({})
const instances = services.flatMap((s) => s.instances)
const cpus = await Promise.all(instances.map(async (instance) => {
  const r = await query({ query: \`cpu_usage{instance="\${instance}"}\` })
  if (r.data.resultType !== "vector") throw new Error("expected a vector")
  return { instance, cpu: Number(r.data.result[0]!.value[1]) }
}))
export default cpus.filter((c) => c.cpu > 0.45).sort((a, b) => b.cpu - a.cpu)`
  },
  {
    name: "one-tool-of-many",
    kind: "a task needing one tool out of many",
    question: "What is the install command in minisearch's README?",
    tools: [{ tool: "docs/fetch_doc", search: "fetch a document section" }],
    direct: async (call) => {
      const doc = await call("docs", "fetch_doc", { id: "npm:minisearch", section: "Installation" })
      return doc.markdown
        .split("\n")
        .find((l: string) => /^\s*npm install/.test(l))
        ?.trim()
    },
    code: () => `import { fetchDoc } from "./servers/docs/index.ts"
const doc = await fetchDoc({ id: "npm:minisearch", section: "Installation" })
export default doc.markdown.split("\\n").find((l) => /^\\s*npm install/.test(l))?.trim()`
  },
  {
    name: "readme-digest",
    kind: "large document, a few facts needed",
    question: "Which methods and properties of isolated-vm's Isolate class does its README document?",
    tools: [{ tool: "docs/fetch_doc", search: "fetch a document" }],
    direct: async (call) => {
      const doc = await call("docs", "fetch_doc", { id: "npm:isolated-vm" })
      return [...new Set<string>([...doc.markdown.matchAll(/^#+ `isolate\.(\w+)/gm)].map((m) => m[1]))].sort()
    },
    // the agent looks at how the README's headings are written before matching them
    probe: () => `import { fetchDoc } from "./servers/docs/index.ts"
const doc = await fetchDoc({ id: "npm:isolated-vm" })
export default doc.markdown.split("\\n").filter((l) => l.startsWith("#") && /isolate/i.test(l)).slice(0, 4)`,
    code: () => `import { fetchDoc } from "./servers/docs/index.ts"
const doc = await fetchDoc({ id: "npm:isolated-vm" })
export default [...new Set([...doc.markdown.matchAll(/^#+ \`isolate\\.(\\w+)/gm)].map((m) => m[1]!))].sort()`
  },
  {
    name: "access-log-5xx",
    kind: "large file that only needs counting",
    question: "How many 5xx responses per service are in access.log (12,000 lines)?",
    tools: [{ tool: "filesystem/read_text_file", search: "read text file contents" }],
    direct: async (call, env) => {
      const r = await call("filesystem", "read_text_file", { path: join(env.files, "access.log") })
      const text: string = typeof r === "string" ? r : r.content
      const counts: Record<string, number> = {}
      for (const m of text.matchAll(/service=(\S+) .* status=5\d\d/g))
        counts[m[1]!] = (counts[m[1]!] ?? 0) + 1
      return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
    },
    probe: (env) => headProbe(join(env.files, "access.log")),
    code: (env) => `import { readTextFile } from "./servers/filesystem/index.ts"
const { content } = await readTextFile({ path: ${JSON.stringify(join(env.files, "access.log"))} })
const counts: Record<string, number> = {}
for (const m of content.matchAll(/service=(\\S+) .* status=5\\d\\d/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1
export default Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))`
  },
  {
    name: "services-to-graph",
    kind: "moving data between two servers",
    question:
      "Record every service with its tier and team in the knowledge graph; how many entities were created?",
    tools: [
      { tool: "metrics/list_services", search: "list services team" },
      { tool: "memory/create_entities", search: "create entities knowledge graph" }
    ],
    direct: async (call) => {
      const { services } = await call("metrics", "list_services", {})
      const created = await call("memory", "create_entities", {
        entities: services.map((s: { name: string; tier: string; team: string }) => ({
          name: `${SERVICES_TEAM_PREFIX}${s.name}`,
          entityType: "service",
          observations: [`tier: ${s.tier}`, `team: ${s.team}`]
        }))
      })
      return created.entities.length
    },
    code: () => `import { listServices } from "./servers/metrics/index.ts"
import { createEntities } from "./servers/memory/index.ts"
const { services } = await listServices({})
const created = await createEntities({ entities: services.map((s) => ({
  name: ${JSON.stringify(SERVICES_TEAM_PREFIX)} + s.name, entityType: "service", observations: [\`tier: \${s.tier}\`, \`team: \${s.team}\`]
})) })
export default created.entities.length`
  }
]
