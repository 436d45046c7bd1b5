/**
 * Issue 20's first step: several runner processes on one PostgreSQL. Executions started from a
 * process that runs nothing spread over the runners; a runner SIGKILLed inside a step hands its
 * executions to the other, which resumes them from the journal: only the interrupted step runs again.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgTestCluster } from "../src/testing/index.ts"
import { unsettled } from "./group.ts"
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
    // Whichever runner first reaches step c blocks there (once, across both): that one is killed.
    const pair = [0, 1].map(() => startWorker(["serve"], { ...env, BLOCK_ONCE: "c" }))
    workers.push(...pair)
    for (const w of pair)
      await waitFor("a runner", () => w.output().includes("SERVING") || undefined, 60_000, w)
    // Submit once every shard is on the runner the two-runner hash ring assigns it to. "Both hold
    // some shards" was not enough: shards still moving in the rebalance took executions (and the
    // blocked step) from one runner to the other before the kill.
    await waitFor(
      "the shards to settle on both runners",
      async () => (await unsettled(pg.url, 2, 32)) === 0 || undefined
    )
    const ns = Array.from({ length: 12 }, (_, i) => i + 1)
    const inputs = ns.map((n) => JSON.stringify({ n }))
    const client = startWorker(["submit", "pipeline", ...inputs], env)
    workers.push(client)
    const blockedPid = await waitFor(
      "a runner to block in c",
      () =>
        s
          .lines()
          .find((l) => l.startsWith("blocked c "))
          ?.split(" ")[2],
      90_000,
      client
    )
    const doomed = pair.find((w) => String(w.child.pid) === blockedPid)!
    const survivor = pair.find((w) => w !== doomed)!
    const killedAt = Date.now()
    await doomed.kill()
    await exited(client)
    expect(lineOf(client.output(), "RESULTS")).toEqual(ns.map((n) => ({ n: ((n + 1) * 2 + 3) * 10 })))
    const runs = s.lines().filter((l) => l.startsWith("run "))
    // Each step of each execution (step name + idempotency key) ran once, or - only when the killed
    // runner was inside it - once there and once more on the survivor.
    const byKey = new Map<string, Array<string>>()
    for (const l of runs) {
      const [, step, key, , , pid] = l.split(" ")
      byKey.set(`${step} ${key}`, [...(byKey.get(`${step} ${key}`) ?? []), pid!])
    }
    expect(byKey.size).toBe(ns.length * 4)
    for (const [key, pids] of byKey) {
      if (pids.length === 1) continue
      expect({ key, pids }).toEqual({ key, pids: [String(doomed.child.pid), String(survivor.child.pid)] })
    }
    expect(
      byKey.get(
        `c ${
          s
            .lines()
            .find((l) => l.startsWith("run c ") && l.includes(` ${blockedPid} `))
            ?.split(" ")[2]
        }`
      )
    ).toHaveLength(2)
    console.log(`failover: all executions done ${Date.now() - killedAt} ms after the kill`)
  })
})
