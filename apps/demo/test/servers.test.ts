// The demo's own MCP servers, started as real child processes over stdio (Node 24 runs the .ts
// files directly), and the captured tool catalogs the token benchmark reads.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const here = import.meta.dirname
const serverPath = (name: string) => join(here, "..", "servers", `${name}.ts`)

const start = async (name: string): Promise<Client> => {
  const client = new Client({ name: "servers-test", version: "0.0.0" })
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [serverPath(name)], stderr: "pipe" })
  )
  return client
}

type Result = { isError?: boolean; structuredContent?: any; content?: Array<{ type: string; text?: string }> }
const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<Result> =>
  (await client.callTool({ name, arguments: args })) as Result
const ok = async (client: Client, name: string, args: Record<string, unknown>) => {
  const r = await call(client, name, args)
  if (r.isError) throw new Error(`${name} failed: ${r.content?.[0]?.text}`)
  // the text content carries the same answer as the structured one
  expect(JSON.parse(r.content?.[0]?.text ?? "null")).toEqual(r.structuredContent)
  return r.structuredContent
}
const errorText = (r: Result) => {
  expect(r.isError).toBe(true)
  return r.content?.[0]?.text ?? ""
}

describe("metrics server", () => {
  let client: Client
  beforeAll(async () => {
    client = await start("metrics")
    // the client checks every later structuredContent against these output schemas
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([
      "flaky_check",
      "list_metrics",
      "list_services",
      "query",
      "query_range"
    ])
    for (const t of tools) expect(t.outputSchema?.type).toBe("object")
  })
  afterAll(() => client?.close())

  it("lists a dozen services and the metric names", async () => {
    const { services } = await ok(client, "list_services", {})
    expect(services).toHaveLength(12)
    expect(services.map((s: { name: string }) => s.name)).toContain("payments")
    const { metrics } = await ok(client, "list_metrics", {})
    expect(metrics.map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining([
        "http_requests_total",
        "http_errors_total",
        "error_rate",
        "latency_p99_ms",
        "cpu_usage",
        "memory_bytes"
      ])
    )
  })

  it("finds the services with an ongoing error-rate incident", async () => {
    const r = await ok(client, "query", { query: "max by (service) (error_rate) > 0.05" })
    expect(r.status).toBe("success")
    expect(r.data.resultType).toBe("vector")
    expect(r.data.result.map((s: { metric: { service: string } }) => s.metric.service)).toEqual([
      "checkout",
      "payments"
    ])
    const payments = r.data.result.find((s: any) => s.metric.service === "payments")
    expect(Number(payments.value[1])).toBeGreaterThan(0.2)
  })

  it("computes error ratios from counters with rate() and sum by", async () => {
    const r = await ok(client, "query", {
      query:
        'sum by (service) (rate(http_errors_total{service=~"payments|auth"}[5m])) / sum by (service) (rate(http_requests_total{service=~"payments|auth"}[5m]))'
    })
    const ratio = Object.fromEntries(r.data.result.map((s: any) => [s.metric.service, Number(s.value[1])]))
    expect(ratio.payments).toBeGreaterThan(0.25)
    expect(ratio.payments).toBeLessThan(0.35)
    expect(ratio.auth).toBeLessThan(0.01)
  })

  it("answers a day of range data at 60s steps, identically on every call", async () => {
    const args = { query: "error_rate", start: "now-1d", end: "now", step: "60s" }
    const a = await ok(client, "query_range", args)
    const b = await ok(client, "query_range", args)
    expect(a).toEqual(b)
    expect(a.data.resultType).toBe("matrix")
    expect(a.data.result).toHaveLength(30) // instances across the 12 services
    const points = a.data.result.reduce((n: number, s: any) => n + s.values.length, 0)
    expect(points).toBe(30 * 1441)
    const [t0, t1] = a.data.result[0].values
    expect(t1[0] - t0[0]).toBe(60)
  })

  it("finds a resolved incident only over the range", async () => {
    const r = await ok(client, "query_range", {
      query: "max by (service) (max_over_time(error_rate[10m]))",
      start: "now-1d",
      end: "now",
      step: "10m"
    })
    const spiked = r.data.result
      .filter((s: any) => Math.max(...s.values.map((v: [number, string]) => Number(v[1]))) > 0.05)
      .map((s: any) => s.metric.service)
    expect(spiked).toEqual(["checkout", "inventory", "payments"])
  })

  it("rejects bad queries with a message naming the problem, and keeps serving", async () => {
    expect(errorText(await call(client, "query", { query: 'error_rate{service="x"' }))).toMatch(
      /expected .* at end of query/
    )
    expect(errorText(await call(client, "query", { query: "histogram_quantile(0.9, x)" }))).toMatch(
      /unsupported function histogram_quantile/
    )
    expect(
      errorText(await call(client, "query_range", { query: "up", start: "now-7d", end: "now", step: 15 }))
    ).toMatch(/11000 points per timeseries/)
    const r = await ok(client, "query", { query: "count(cpu_usage)" })
    expect(r.data.result[0].value[1]).toBe("30")
  })

  it("flaky_check fails for the first calls per key, then succeeds", async () => {
    expect(errorText(await call(client, "flaky_check", { key: "payments" }))).toMatch(/attempt 1/)
    expect(errorText(await call(client, "flaky_check", { key: "payments" }))).toMatch(/attempt 2/)
    const third = await ok(client, "flaky_check", { key: "payments" })
    expect(third).toMatchObject({ key: "payments", attempt: 3, service: "payments", healthy: false })
    // another key has its own count; a pattern replaces failFirst
    const pattern = ["S", "F", "S"].map(() => ({ key: "p", pattern: "SF" }))
    const outcomes = []
    for (const args of pattern) outcomes.push((await call(client, "flaky_check", args)).isError === true)
    expect(outcomes).toEqual([false, true, false])
    const slow = await ok(client, "flaky_check", { key: "auth", failFirst: 0, delayMs: 50 })
    expect(slow).toMatchObject({ attempt: 1, healthy: true })
    const reset = await call(client, "flaky_check", { key: "payments", reset: true, failFirst: 1 })
    expect(errorText(reset)).toMatch(/attempt 1/)
  })
})

describe("docs server", () => {
  let client: Client
  beforeAll(async () => {
    client = await start("docs")
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(["fetch_doc", "search_docs"])
    for (const t of tools) expect(t.outputSchema?.type).toBe("object")
  })
  afterAll(() => client?.close())

  it("ranks a package's README first for its own subject", async () => {
    const r = await ok(client, "search_docs", { query: "minisearch full-text search engine", limit: 5 })
    expect(r.total).toBeGreaterThan(5)
    expect(r.results).toHaveLength(5)
    expect(r.results[0].id).toBe("npm:minisearch")
    expect(r.results[0].version).toMatch(/^\d+\.\d+\.\d+/)
    expect(
      await ok(client, "search_docs", { query: "minisearch full-text search engine", limit: 5 })
    ).toEqual(r)
  })

  it("searches Effect's guides and this repo's own docs", async () => {
    const effect = await ok(client, "search_docs", { query: "Schedule exponential retry", limit: 10 })
    expect(effect.results.map((h: { id: string }) => h.id)).toContain(
      "npm:effect/ai-docs/src/06_schedule/index.md"
    )
    const repo = await ok(client, "search_docs", { query: "code mode sandbox", source: "repo" })
    expect(repo.results.length).toBeGreaterThan(0)
    expect(repo.results.every((h: { source: string }) => h.source === "repo")).toBe(true)
    expect(repo.results.map((h: { id: string }) => h.id)).toContain("repo:docs/code-mode.md")
  })

  it("fetches a document's markdown whole or by section", async () => {
    const file = readFileSync(join(here, "..", "node_modules", "minisearch", "README.md"), "utf8")
    const whole = await ok(client, "fetch_doc", { id: "npm:minisearch" })
    expect(whole.markdown).toBe(file)
    expect(whole.sections).toContain("Installation")
    const part = await ok(client, "fetch_doc", { id: "npm:minisearch", section: "installation" })
    expect(part.section).toBe("Installation")
    expect(part.markdown.startsWith("## Installation")).toBe(true)
    expect(part.markdown).toContain("npm install minisearch")
    expect(part.markdown).not.toContain("## Usage")
    const byPath = await ok(client, "fetch_doc", { id: "README.md", maxChars: 200 })
    expect(byPath).toMatchObject({ id: "repo:README.md", truncated: true })
    expect(byPath.markdown).toHaveLength(200)
  })

  it("names what was wrong for an unknown document or section", async () => {
    expect(errorText(await call(client, "fetch_doc", { id: "npm:minisearchh" }))).toMatch(
      /no document with id or path "npm:minisearchh"; did you mean .*"npm:minisearch"/
    )
    expect(errorText(await call(client, "fetch_doc", { id: "npm:minisearch", section: "Nope" }))).toMatch(
      /has no section "Nope"; its sections are .*"Installation"/
    )
  })
})

describe("captured tool catalogs", () => {
  const dir = join(here, "..", "fixtures", "catalogs")
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"))
  const catalogs = files.map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), "utf8")) }))

  it("each names its package and version and has real tool definitions", () => {
    expect(catalogs.length).toBeGreaterThanOrEqual(8)
    for (const c of catalogs) {
      expect(c.package, c.file).toMatch(/^(@[a-z0-9-]+\/)?[a-z0-9.-]+$/)
      expect(c.version, c.file).toMatch(/^\d+\.\d+\.\d+/)
      expect(Number.isNaN(Date.parse(c.capturedAt)), c.file).toBe(false)
      expect(c.tools.length, c.file).toBeGreaterThan(0)
      const names = c.tools.map((t: { name: string }) => t.name)
      expect(new Set(names).size, c.file).toBe(names.length)
      for (const t of c.tools) {
        expect(typeof t.name, c.file).toBe("string")
        expect(t.inputSchema?.type, `${c.file} ${t.name}`).toBe("object")
      }
    }
    const total = catalogs.reduce((n, c) => n + c.tools.length, 0)
    expect(total).toBeGreaterThanOrEqual(150)
  })

  it("includes the live servers the demo starts", () => {
    const packages = catalogs.map((c) => c.package)
    for (const p of ["everything", "filesystem", "memory"])
      expect(packages).toContain(`@modelcontextprotocol/server-${p}`)
  })
})
