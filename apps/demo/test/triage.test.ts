// The demo's workflows on the same real servers the demo starts (metrics, docs, filesystem,
// memory, everything over stdio) and the real isolate sandbox: results, skill reuse, the cache,
// saga compensation on an injected failure, and the health check's timeout and circuit breaker.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { CodeMode } from "@tta/code-mode"
import { CircuitOpenError, run, SagaError, TimeoutError } from "@tta/core"
import {
  type Assess,
  Demo,
  ErrorHistory,
  HealthCheck,
  Progress,
  Servers,
  Stack,
  type StepEvent,
  Triage
} from "@tta/demo"
import { McpHub } from "@tta/mcp"
import { Observability } from "@tta/observability"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const dirs = Servers.makeDirs()
const { defaultRequest, makeTriage } = Triage
const { makeHealthCheck } = HealthCheck
const { SKILL } = ErrorHistory
const events: Array<StepEvent> = []
const runtime = ManagedRuntime.make(
  Layer.mergeAll(
    Stack.layer(dirs),
    Observability.memory("demo-test"),
    Progress.layer((e) => events.push(e))
  )
)
const runP = <A, E>(effect: Effect.Effect<A, E, ManagedRuntime.ManagedRuntime.Services<typeof runtime>>) =>
  runtime.runPromise(effect)

type Graph = {
  entities: Array<{ name: string; entityType: string; observations: Array<string> }>
  relations: Array<{ from: string; to: string; relationType: string }>
}
const readGraph = () => runP(McpHub.use((hub) => hub.callTool("memory", "read_graph", {}))) as Promise<Graph>

let demo: Demo.DemoResult

beforeAll(async () => {
  demo = await runP(Demo.runDemo({ dirs, runs: 2 }))
}, 90_000)

afterAll(() => runtime.dispose())

const stepsOf = (runId: string) => events.filter((e) => e.run === runId).map((e) => `${e.step}:${e.status}`)

describe("incident triage on the real servers", () => {
  it("finds payments critical, checkout degraded, and inventory / search recovered", () => {
    const [first] = demo.runs
    expect(first?.ok).toBe(true)
    const result = first!.result!
    expect(result.critical).toEqual(["payments"])
    expect(result.warning).toEqual(["checkout"])
    expect(result.resolved).toEqual(["inventory", "search"])
    const payments = result.responses.find((r) => r.service === "payments")!
    // flaky_check fails twice per key, so the retry got through on the third attempt
    expect(payments.health).toMatchObject({ service: "payments", attempt: 3, healthy: false })
    expect(payments.health!.errorRate).toBeGreaterThan(0.2)
    expect(payments.runbook?.id).toMatch(/^repo:/)
    expect(payments.runbook?.excerpt.length).toBeGreaterThan(0)
    expect(stepsOf("triage-1").filter((s) => s === "health-check:failed")).toHaveLength(2)
    expect(first!.retries).toBe(2)
    expect(result.paged).toBe(true)
  })

  it("writes the report file with the findings through the filesystem server", () => {
    const report = demo.runs[0]!.result!.report
    expect(report.path).toBe(join(dirs.files, "reports", "incident-triage-1.md"))
    const text = readFileSync(report.path, "utf8")
    expect(text).toContain("# Incident triage triage-1")
    expect(text).toContain("1 critical, 1 warning, 2 resolved, 8 ok.")
    expect(text).toMatch(/\| payments \| critical \| error rate 3\d\.\d% now/)
    expect(text).toMatch(/\| checkout \| warning \|/)
    expect(text).toContain("## Runbook")
    expect(text).not.toContain("| auth |")
  })

  it("records the incidents and affected services in the memory server", async () => {
    const graph = await readGraph()
    const names = graph.entities.map((e) => e.name).sort()
    expect(names).toEqual([
      "checkout",
      "incident-triage-1",
      "incident-triage-2",
      "inventory",
      "payments",
      "search"
    ])
    const incident = graph.entities.find((e) => e.name === "incident-triage-1")!
    expect(incident.entityType).toBe("incident")
    expect(incident.observations.some((o) => o.startsWith("payments: critical"))).toBe(true)
    const affects = graph.relations
      .filter((r) => r.from === "incident-triage-1")
      .map((r) => `${r.to} ${r.relationType}`)
    expect(affects.sort()).toEqual([
      "checkout affects (warning)",
      "inventory affects (resolved)",
      "payments affects (critical)",
      "search affects (resolved)"
    ])
    // the file on disk is the server's, not ours
    expect(readFileSync(dirs.memoryFile, "utf8")).toContain('"name":"incident-triage-2"')
  })

  it("saves the scan as a skill on the first run and reuses it on the second, for fewer tokens", async () => {
    const [first, second] = demo.runs
    expect(stepsOf("triage-1")).toEqual(
      expect.arrayContaining([
        "discover-api:info",
        "scan-error-history:ok",
        "save-skill:info",
        "runbook-lookup:ok"
      ])
    )
    expect(stepsOf("triage-2")).toEqual(
      expect.arrayContaining(["read-skill:info", "error-history-via-skill:ok"])
    )
    expect(stepsOf("triage-2")).not.toContain("discover-api:info")
    // the runbook came from the cache: no docs lookup ran on the second run
    expect(stepsOf("triage-2")).not.toContain("runbook-lookup:ok")
    expect(second!.cacheHits).toBeGreaterThanOrEqual(1)
    expect(second!.skillReused).toBe(true)
    expect(first!.skillReused).toBe(false)
    expect(second!.result!.critical).toEqual(first!.result!.critical)
    expect(second!.result!.resolved).toEqual(first!.result!.resolved)
    expect(second!.tokens.codeMode.total).toBeLessThan(first!.tokens.codeMode.total)
    // the whole scan (~60 lines) became a 3-line import of the skill; no API file was read
    expect(first!.tokens.codeMode.code - second!.tokens.codeMode.code).toBeGreaterThan(500)
    expect(second!.tokens.codeMode.read).toBeLessThan(first!.tokens.codeMode.read)
    expect(second!.toolCalls).toBe(first!.toolCalls - 2) // search_docs + fetch_doc
    const skills = await runP(CodeMode.CodeMode.use((c) => c.listSkills()))
    const skill = skills.find((s) => s.name === SKILL)!
    expect(skill.version).toBe(1)
    expect(skill.runs).toBeGreaterThanOrEqual(1)
    expect(readFileSync(join(dirs.session, "skills", SKILL, "index.ts"), "utf8")).toContain(
      'from "../../servers/metrics/index.ts"'
    )
  })

  it("measures each run's tokens three ways from the real results", () => {
    for (const r of demo.runs) {
      expect(r.tokens.encoding).toBe("o200k_base")
      // two range queries of 43,230 points each came back to code, not to the model
      expect(r.tokens.direct.results).toBeGreaterThan(800_000)
      expect(r.tokens.codeMode.total).toBeLessThan(10_000)
      expect(r.tokens.codeMode.total).toBeLessThan(r.tokens.toolSearch.total)
      expect(r.tokens.toolSearch.total).toBeLessThan(r.tokens.direct.total)
      expect(r.tokens.savedVsDirect).toBeGreaterThan(99)
      expect(r.steps).toBeGreaterThan(20)
      expect(r.codeExecutions).toBeGreaterThanOrEqual(9)
    }
  })

  it("draws the workflow and writes the HTML run report", () => {
    for (const part of [
      "parallel: checks",
      "branch: saved skill?",
      "route: by severity",
      "cache: cached-runbook"
    ])
      expect(demo.mermaid).toContain(part)
    expect(demo.mermaid).toContain("circuit-breaker: health-breaker")
    expect(demo.mermaid).toMatch(/saga: saga\(write-report, record-entities, page-on-call\)/)
    const html = readFileSync(demo.reportPath, "utf8")
    expect(html).toContain("<html")
    expect(html).toContain("tools/call query_range")
    expect(html).toContain("incident-triage")
  })

  it("undoes the report and the entities when paging fails (injected failure)", async () => {
    const triage = makeTriage({ reportDir: join(dirs.files, "reports") })
    const exit = await runP(
      Effect.exit(
        run(triage.workflow, defaultRequest, { workflowId: "triage-fail", metadata: { inject: "notify" } })
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(SagaError)
    const saga = error as SagaError
    expect(saga.failedStep).toBe("page-on-call")
    expect(saga.compensated).toEqual(["record-entities", "write-report"])
    expect(saga.compensationFailures).toEqual([])
    expect(saga.message).toContain("injected failure")
    // the report was moved out of the way, the incident entity deleted; earlier runs untouched
    expect(existsSync(join(dirs.files, "reports", "incident-triage-fail.md"))).toBe(false)
    expect(
      readFileSync(join(dirs.files, "reports", "rolled-back", "incident-triage-fail.md"), "utf8")
    ).toContain("# Incident triage triage-fail")
    const names = (await readGraph()).entities.map((e) => e.name)
    expect(names).not.toContain("incident-triage-fail")
    expect(names).toEqual(expect.arrayContaining(["incident-triage-1", "incident-triage-2", "payments"]))
    expect(stepsOf("triage-fail")).toEqual(
      expect.arrayContaining([
        "page-on-call:failed",
        "undo record-entities:compensated",
        "undo write-report:compensated"
      ])
    )
  })

  const payments: Assess.Finding = {
    service: "payments",
    severity: "critical",
    kind: "errors",
    errorRate: 0.35,
    peakErrorRate: 0.35,
    minutesAbove: 50,
    summary: "test"
  }

  it("opens the health check's circuit breaker after repeated failures, then fails fast", async () => {
    const check = makeHealthCheck({ failFirst: 1000, retries: 1, failureThreshold: 2, resetAfter: "1 hour" })
    const attempt = (id: string) => runP(Effect.exit(run(check, payments, { workflowId: id })))
    for (const id of ["breaker-1", "breaker-2"]) {
      const exit = await attempt(id)
      expect(Exit.isFailure(exit)).toBe(true)
    }
    expect(await runP(check.state)).toBe("open")
    const callsBefore = (await runP(CodeMode.CodeMode.use((c) => c.toolCalls()))).length
    const exit = await attempt("breaker-3")
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(CircuitOpenError)
    // failing fast: no code ran, no tool was called
    expect((await runP(CodeMode.CodeMode.use((c) => c.toolCalls()))).length).toBe(callsBefore)
    expect(stepsOf("breaker-1").filter((s) => s === "health-check:failed")).toHaveLength(2)
  })

  it("times out a slow health check attempt", async () => {
    const check = makeHealthCheck({ failFirst: 0, delayMs: 5_000, timeout: "300 millis", retries: 0 })
    const exit = await runP(Effect.exit(run(check, payments, { workflowId: "slow-1" })))
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).timeoutMillis).toBe(300)
  })
})
