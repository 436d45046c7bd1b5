// The token benchmark's harness on a few of its tasks: all three ways run on the real servers and
// must agree, and the figures must come out in the expected order from the real results.
import { Servers, Stack } from "@tta/demo"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { seedFiles, tasks } from "../bench/tasks.ts"
import { fixtures, livePackages, markdown, runTasks } from "../bench/tokens.ts"

describe("token benchmark", () => {
  it("does each task three ways with identical answers and counts each way from the real run", async () => {
    const dirs = Servers.makeDirs()
    seedFiles(dirs.files)
    const picked = tasks.filter((t) =>
      ["oncall-join", "one-tool-of-many", "services-to-graph"].includes(t.name)
    )
    const { rows, catalog } = await Effect.runPromise(
      runTasks(picked, { files: dirs.files }).pipe(
        Effect.provide(Stack.layer(dirs, { servers: ["metrics", "docs", "filesystem", "memory"] }))
      )
    )
    expect(rows.map((r) => r.task.name)).toEqual(["oncall-join", "one-tool-of-many", "services-to-graph"])
    const byName = Object.fromEntries(rows.map((r) => [r.task.name, r]))
    expect(byName["oncall-join"]!.answer).toEqual([
      { service: "checkout", team: "commerce", oncall: "Edsger" },
      { service: "payments", team: "payments", oncall: "Alan" }
    ])
    expect(byName["one-tool-of-many"]!.answer).toBe("npm install minisearch")
    expect(byName["services-to-graph"]!.answer).toBe(12)
    const definitions = rows[0]!.direct.definitions
    for (const r of rows) {
      // every definition of the live servers and the captured catalogs, once per task
      expect(r.direct.definitions).toBe(definitions)
      expect(r.direct.results).toBe(r.toolSearch.results)
      expect(r.toolSearch.definitions).toBeLessThan(r.direct.definitions / 20)
      expect(r.codeMode.calls + r.codeMode.results).toBe(0)
      expect(r.codeMode.total).toBeLessThan(r.toolSearch.total)
      expect(r.missedBySearch).toEqual([])
    }
    expect(catalog.extra.length).toBeGreaterThanOrEqual(15)
    expect(catalog.extra.map((f) => f.package)).not.toContain(livePackages[1])
    expect(definitions).toBeGreaterThan(50_000)
    const md = markdown(rows, catalog, 1000)
    expect(md).toContain("| **total** | 3 tasks |")
    expect(md).toContain("o200k_base")
  })

  it("leaves out the captured catalogs of servers that run live", () => {
    const names = fixtures(livePackages).map((f) => f.name)
    expect(names).not.toContain("filesystem")
    expect(names).toContain("github")
  })
})
