/**
 * A worker process is SIGKILLed inside a step (the first, a middle one, a compensation); a new
 * process resumes the execution: steps that completed do not run again (counted in a file the steps
 * append to, outside the journal's transaction), only the interrupted one does, and the result is
 * the one an uninterrupted run gives. On the embedded store and on PostgreSQL.
 */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgTestCluster } from "../src/testing/index.ts"
import { runWorker, type Scratch, scratch, startWorker, waitFor } from "./support.ts"

const stores: Array<{ name: string; store: (s: Scratch) => string }> = [
  { name: "embedded", store: (s) => `${s.dir}/journal.db` }
]
let pg: PgTestCluster.PgTestCluster | undefined
if (PgTestCluster.isAvailable()) stores.push({ name: "postgres", store: () => pg!.url })

beforeAll(async () => {
  if (PgTestCluster.isAvailable()) pg = await PgTestCluster.start()
})
afterAll(() => pg?.stop())

/** Starts `flow` with BLOCK_IN=step, SIGKILLs it once the step is running, then resumes it. */
const crashAndResume = async (s: Scratch, store: string, flow: string, input: unknown, step: string) => {
  const env = { STORE: store, SIDE_EFFECTS: s.sideEffects }
  const first = startWorker(["run", flow, JSON.stringify(input)], { ...env, BLOCK_IN: step })
  try {
    await waitFor(
      `${flow} to block in ${step}`,
      () => s.lines().some((l) => l.startsWith(`blocked ${step} `)) || undefined,
      60_000,
      first
    )
  } finally {
    await first.kill()
  }
  expect(first.output()).not.toContain("RESULT")
  return runWorker(["run", flow, JSON.stringify(input)], env)
}

describe.each(stores)("on the $name store", ({ store }) => {
  it("an uninterrupted run gives the reference result", async () => {
    const s = scratch()
    try {
      const run = await runWorker(["run", "pipeline", '{"n":1}'], {
        STORE: store(s),
        SIDE_EFFECTS: s.sideEffects
      })
      expect(run.line("RESULT")).toEqual({ n: 70 })
      for (const step of ["a", "b", "c", "d"]) expect(s.runs(step)).toBe(1)
    } finally {
      s.cleanup()
    }
  })

  it.each([
    ["first", "a", 101],
    ["middle", "c", 102]
  ])("killed inside the %s step, resumed: completed steps do not run again", async (_, step, n) => {
    const s = scratch()
    try {
      const resumed = await crashAndResume(s, store(s), "pipeline", { n }, step)
      expect(resumed.line("RESULT")).toEqual({ n: ((n + 1) * 2 + 3) * 10 })
      for (const other of ["a", "b", "c", "d"]) expect(s.runs(other)).toBe(other === step ? 2 : 1)
      // The interrupted step ran again with the same idempotency key.
      const keys = s
        .lines()
        .filter((l) => l.startsWith(`run ${step} `))
        .map((l) => l.split(" ")[2])
      expect(new Set(keys).size).toBe(1)
      // Both processes' steps saw the execution's own WorkflowContext (built from the input).
      const runs = s.lines().filter((l) => l.startsWith("run "))
      expect(new Set(runs.map((l) => l.split(" ")[5])).size).toBe(2)
      expect(new Set(runs.map((l) => l.split(" ").at(-1)))).toEqual(new Set([`pipeline-${n}`]))
    } finally {
      s.cleanup()
    }
  })

  it("killed inside a compensation: compensations finish in reverse, each completed once", async () => {
    const s = scratch()
    try {
      const resumed = await crashAndResume(s, store(s), "booking", { n: 7 }, "release")
      const [failed] = resumed.line("FAILED")
      expect(failed._tag).toBe("WorkflowFailedError")
      expect(failed.error._tag).toBe("SagaError")
      expect(failed.error.failedStep).toBe("ship")
      expect(failed.error.compensated).toEqual(["charge", "reserve"])
      expect([s.runs("reserve"), s.runs("charge"), s.runs("ship"), s.runs("refund")]).toEqual([1, 1, 1, 1])
      expect(s.runs("release")).toBe(2)
      const order = s
        .lines()
        .filter((l) => /^run (refund|release) /.test(l))
        .map((l) => l.split(" ")[1])
      expect(order).toEqual(["refund", "release", "release"])
      // Each compensation is given its own step's output.
      expect(s.lines().find((l) => l.startsWith("run refund "))).toContain('{"seat":7,"paid":10}')
    } finally {
      s.cleanup()
    }
  })

  it("the resumed run's spans join the execution's trace", async () => {
    const s = scratch()
    try {
      const trace = `${s.dir}/spans`
      const env = { STORE: store(s), SIDE_EFFECTS: s.sideEffects, TRACE_FILE: trace }
      const first = startWorker(["run", "pipeline", '{"n":300}'], { ...env, BLOCK_IN: "b" })
      try {
        await waitFor(
          "b to block",
          () => s.lines().some((l) => l.startsWith("blocked b ")) || undefined,
          60_000,
          first
        )
      } finally {
        await first.kill()
      }
      const spans = () =>
        readFileSync(trace, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { name: string; traceId: string })
      const before = spans()
      const a = before.find((x) => x.name === "a")
      expect(a).toBeDefined()
      const resumed = await runWorker(["run", "pipeline", '{"n":300}'], env)
      expect(resumed.line("RESULT")).toEqual({ n: ((300 + 1) * 2 + 3) * 10 })
      const after = spans().slice(before.length)
      for (const name of ["b", "c", "d"]) {
        expect(after.find((x) => x.name === name)?.traceId).toBe(a!.traceId)
      }
    } finally {
      s.cleanup()
    }
  })

  it("a saga that fails without a crash compensates in reverse once", async () => {
    const s = scratch()
    try {
      const run = await runWorker(["run", "booking", '{"n":8}'], {
        STORE: store(s),
        SIDE_EFFECTS: s.sideEffects
      })
      expect(run.line("FAILED")[0].error._tag).toBe("SagaError")
      expect(
        s
          .lines()
          .filter((l) => /^run (refund|release) /.test(l))
          .map((l) => l.split(" ")[1])
      ).toEqual(["refund", "release"])
    } finally {
      s.cleanup()
    }
  })
})
