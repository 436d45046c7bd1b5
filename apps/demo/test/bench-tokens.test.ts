// The token benchmark's harness on a few of its tasks: all three ways run on the real servers and
// must agree (and agree with the source of truth for the third-party tasks), and the figures must
// come out in the expected order from the real results.
import { rmSync } from "node:fs"
import { Servers, Stack } from "@tta/demo"
import { PgTestCluster } from "@tta/durable/testing"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { gitTasks, repoDir, seedRepo } from "../bench/gitTasks.ts"
import * as Redis from "../bench/redisTasks.ts"
import { markdown, median, summary } from "../bench/report.ts"
import { seedFiles, tasks } from "../bench/tasks.ts"
import {
  seedShop,
  type ThirdPartyEnv,
  thirdPartyPackages,
  thirdPartyStack,
  thirdPartyTasks
} from "../bench/thirdParty.ts"
import { demoSetting, fixtures, livePackages, runTasks, thirdPartySetting } from "../bench/tokens.ts"

const pgMissing = !PgTestCluster.isAvailable()
if (pgMissing) {
  console.warn(
    "bench-tokens: PostgreSQL is not installed (apt-get install -y postgresql): the third-party token tasks are SKIPPED"
  )
}

// every run's directories (files, the generated repository, the code-mode workspace), removed at the end
const made: Array<string> = []
const makeDirs = () => {
  const dirs = Servers.makeDirs()
  made.push(dirs.root)
  return dirs
}

describe("token benchmark", () => {
  afterAll(() => {
    for (const root of made) rmSync(root, { recursive: true, force: true })
  })

  it("does each task three ways with identical answers and counts each way from the real run", async () => {
    const dirs = makeDirs()
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
      expect(r.directHere.definitions).toBeLessThan(r.direct.definitions / 10)
      expect(r.directHere.results).toBe(r.direct.results)
      expect(r.direct.results).toBe(r.toolSearch.results)
      expect(r.toolSearch.definitions).toBeLessThan(r.direct.definitions / 20)
      expect(r.codeMode.calls + r.codeMode.results).toBe(0)
      // discovery through the gateway (search_tools calls and answers) is counted
      expect(r.codeMode.read).toBeGreaterThan(0)
      expect(r.codeMode.total).toBeLessThan(r.toolSearch.total)
      expect(r.missedBySearch).toEqual([])
    }
    expect(catalog.extra.length).toBeGreaterThanOrEqual(15)
    expect(catalog.extra.map((f) => f.package)).not.toContain(livePackages[1])
    expect(definitions).toBeGreaterThan(50_000)
    const md = markdown([{ title: "The demo's servers", setting: demoSetting, rows, catalog }], 1000)
    expect(md).toContain("| **median task** |")
    expect(md).toContain("o200k_base")
  })

  describe("on third-party servers", () => {
    let pg: PgTestCluster.PgTestCluster | undefined
    let redis: Redis.RedisServer | undefined
    beforeAll(async () => {
      if (!pgMissing) pg = await PgTestCluster.start()
      if (!pgMissing && Redis.isAvailable()) redis = await Redis.start()
      else
        console.warn(
          "bench-tokens: redis-server is not installed (apt-get install -y redis-server): redis task SKIPPED"
        )
    })
    afterAll(() => {
      redis?.stop()
      pg?.stop()
    })

    it.skipIf(pgMissing)(
      "answers from server-postgres, git-mcp-server and server-redis match psql, git and redis-cli",
      async () => {
        const dirs = makeDirs()
        seedFiles(dirs.files)
        seedShop(pg!.url, dirs.files)
        seedRepo(repoDir(dirs.root))
        if (redis) Redis.seed(redis.port)
        const names = [
          "pg-refunds-join",
          "pg-export-csv",
          "pg-top-customers-to-graph",
          "git-blame-by-author",
          "redis-sessions-per-region"
        ]
        const picked = [...thirdPartyTasks, ...gitTasks, ...(redis ? Redis.redisTasks : [])].filter((t) =>
          names.includes(t.name)
        )
        const env: ThirdPartyEnv = {
          files: dirs.files,
          pgUrl: pg!.url,
          repo: repoDir(dirs.root),
          redisUrl: redis?.url
        }
        const { rows, catalog } = await Effect.runPromise(
          runTasks(picked, env, thirdPartyPackages).pipe(
            Effect.provide(thirdPartyStack(dirs, pg!.url, redis?.url))
          )
        )
        expect(rows.map((r) => r.task.name)).toEqual(picked.map((t) => t.name))
        expect(catalog.live.map((s) => s.name).sort()).toEqual([
          "filesystem",
          "git",
          "memory",
          "postgres",
          ...(redis ? ["redis"] : [])
        ])
        expect(catalog.extra.map((f) => f.package)).not.toContain(thirdPartyPackages[0])
        const byName = Object.fromEntries(rows.map((r) => [r.task.name, r]))
        expect(byName["pg-export-csv"]!.answer).toBeGreaterThan(50)
        expect(byName["pg-top-customers-to-graph"]!.answer).toHaveLength(5)
        for (const r of rows) {
          expect(r.checked).toBe(true)
          expect(r.codeMode.total).toBeLessThan(r.directHere.total)
          expect(r.directHere.total).toBeLessThan(r.direct.total)
        }
        const s = summary(rows)
        expect(s.worst.saved).toBeLessThanOrEqual(s.medianSaved)
        const md = markdown(
          [{ title: "Third-party servers", setting: thirdPartySetting, rows, catalog }],
          1000
        )
        expect(md).toContain(`| **worst task**: ${s.worst.name}`)
        expect(s.costliest.tokens).toBe(Math.max(...rows.map((r) => r.codeMode.total)))
        if (s.costliest.name !== s.worst.name)
          expect(md).toContain(`| **most code-mode tokens**: ${s.costliest.name}`)
      }
    )
  })

  it("takes the median of an odd and an even count", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it("leaves out the captured catalogs of servers that run live", () => {
    const names = fixtures(livePackages).map((f) => f.name)
    expect(names).not.toContain("filesystem")
    expect(names).toContain("github")
    expect(fixtures(thirdPartyPackages).map((f) => f.name)).not.toContain("postgres")
  })
})
