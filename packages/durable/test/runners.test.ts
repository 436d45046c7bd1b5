/**
 * Issue 20's first step: several runner processes on one PostgreSQL. Executions started from a
 * process that runs nothing spread over the runners; a runner SIGKILLed inside a step hands its
 * executions to the other, which resumes them from the journal: only the interrupted step runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgTestCluster } from "../src/testing/index.ts"
import { exited, lineOf, type Scratch, scratch, startWorker, type Worker, waitFor } from "./support.ts"

describe.skipIf(!PgTestCluster.isAvailable())("runners on one PostgreSQL", () => {
  let pg: PgTestCluster.PgTestCluster
  let s: Scratch
  const workers: Array<Worker> = []
  beforeAll(async () => {
    pg = await PgTestCluster.start()
    s = scratch()
  })
  afterAll(async () => {
    for (const w of workers) await w.kill()
    pg?.stop()
    s?.cleanup()
  })

  it("a killed runner's executions finish on the other; completed steps do not run again", async () => {
    const env = { STORE: pg.url, SIDE_EFFECTS: s.sideEffects, RUNNERS: "1" }
    const doomed = startWorker(["serve"], { ...env, BLOCK_IN: "c" })
    const survivor = startWorker(["serve"], env)
    workers.push(doomed, survivor)
    for (const w of [doomed, survivor])
      await waitFor("a runner", () => w.output().includes("SERVING") || undefined, 60_000, w)
    const inputs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => JSON.stringify({ n }))
    const client = startWorker(["submit", "pipeline", ...inputs], env)
    workers.push(client)
    // The doomed runner got some executions (shards spread) and is inside step c of one of them.
    await waitFor(
      "the doomed runner to block in c",
      () => s.lines().some((l) => l.startsWith("blocked c ")) || undefined,
      90_000,
      client
    )
    const killedAt = Date.now()
    await doomed.kill()
    await exited(client)
    const results = lineOf(client.output(), "RESULTS")
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ n: ((n + 1) * 2 + 3) * 10 })))
    const runs = s.lines().filter((l) => l.startsWith("run "))
    // Each step of each execution (step name + idempotency key): run once, or - only when the doomed
    // runner was inside it at the kill - once there and once more on the survivor.
    const byKey = new Map<string, Array<string>>()
    for (const l of runs) {
      const [, step, key, , , pid] = l.split(" ")
      byKey.set(`${step} ${key}`, [...(byKey.get(`${step} ${key}`) ?? []), pid!])
    }
    expect(byKey.size).toBe(8 * 4)
    for (const [key, pids] of byKey) {
      if (pids.length === 1) continue
      expect({ key, pids }).toEqual({ key, pids: [String(doomed.child.pid), String(survivor.child.pid)] })
    }
    expect(s.lines().filter((l) => l.startsWith("blocked c ")).length).toBeGreaterThan(0)
    const pids = new Set(runs.map((l) => l.split(" ")[5]))
    expect(pids).toEqual(new Set([String(doomed.child.pid), String(survivor.child.pid)]))
    console.log(`failover: all executions done ${Date.now() - killedAt} ms after the kill`)
  })
})
