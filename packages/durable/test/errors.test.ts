/**
 * Bad input and failing stores give typed errors that say what was wrong, and lose nothing:
 * an unknown execution id, approving an approval nobody asked for, a second runner on one embedded
 * store, PostgreSQL unreachable at start (host and port named, never the password; for a client and
 * for a runner, whose execution a new runner then resumes), going away while an execution waits and
 * in the middle of a step.
 */
import { writeFileSync } from "node:fs"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Durable, DurableClient, Errors, Store } from "../src/index.ts"
import { PgTestCluster } from "../src/testing/index.ts"
import { exited, runWorker, type Scratch, scratch, startWorker, type Worker, waitFor } from "./support.ts"

let s: Scratch
let workers: Array<Worker> = []
afterEach(async () => {
  for (const w of workers) await w.kill()
  workers = []
  s?.cleanup()
})

const clientOn = <A, E>(path: string, f: (c: DurableClient.DurableClientShape) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.exit(Effect.flatMap(DurableClient.DurableClient, f)).pipe(
      Effect.provide(Durable.client({ store: Store.embedded({ path }) }))
    ) as Effect.Effect<import("effect").Exit.Exit<A, E>, never>
  )
const failureOf = (exit: import("effect").Exit.Exit<unknown, unknown>): any =>
  exit._tag === "Failure" ? (exit.cause.reasons.find((r) => r._tag === "Fail") as any)?.error : undefined

describe("bad input", () => {
  it("an unknown execution id is UnknownExecutionError naming the id", async () => {
    s = scratch()
    const exit = await clientOn(`${s.dir}/j.db`, (c) => c.show("no-such-id"))
    expect(failureOf(exit)).toBeInstanceOf(Errors.UnknownExecutionError)
    expect(failureOf(exit).message).toContain("no-such-id")
    expect(failureOf(await clientOn(`${s.dir}/j.db`, (c) => c.cancel("no-such-id")))._tag).toBe(
      "UnknownExecutionError"
    )
  })

  it("approving an approval the execution never asked for is UnknownWaitError listing what it waits on", async () => {
    s = scratch()
    const env = { STORE: `${s.dir}/j.db`, SIDE_EFFECTS: s.sideEffects }
    const runner = startWorker(["run", "approved", '{"n":1}'], env)
    workers.push(runner)
    const id = await waitFor("the id", () => {
      const line = runner
        .output()
        .split("\n")
        .find((l) => l.startsWith("STARTED "))
      return line && JSON.parse(line.slice(8))
    })
    await waitFor("the approval to be asked for", async () => {
      const r = await runWorker(["client", "show", id], env)
      return r.line("OK")?.waitingOn?.length > 0 || undefined
    })
    const wrong = await runWorker(["client", "approve", id, "launch", "eve"], env)
    expect(wrong.line("ERROR")[0]).toMatchObject({
      _tag: "UnknownWaitError",
      kind: "approval",
      name: "launch"
    })
    expect(wrong.line("ERROR")[0].message).toContain("approval deploy")
    // The real one still works afterwards, and a second decision is refused.
    await runWorker(["client", "approve", id, "deploy", "dan"], env)
    await exited(runner)
    expect(runner.output()).toContain('RESULT {"deployedBy":"dan"}')
    const again = await runWorker(["client", "approve", id, "deploy", "eve"], env)
    expect(again.line("ERROR")[0].message).toContain("already approved by dan")
  })

  it("a second runner on one embedded store is StoreLockedError naming the first one's pid", async () => {
    s = scratch()
    const env = { STORE: `${s.dir}/j.db`, SIDE_EFFECTS: s.sideEffects }
    const first = startWorker(["serve"], env)
    workers.push(first)
    await waitFor("the first runner", () => first.output().includes("SERVING") || undefined)
    const second = await runWorker(["serve"], env)
    expect(second.code).toBe(3)
    const error = second.line("LAYER_ERROR")
    expect(error).toMatchObject({ _tag: "StoreLockedError", pid: first.child.pid })
    // A client may still read while the runner is up.
    expect((await runWorker(["client", "list"], env)).line("OK")).toEqual([])
  })
})

describe.skipIf(!PgTestCluster.isAvailable())("PostgreSQL going away", () => {
  let pg: PgTestCluster.PgTestCluster
  beforeAll(async () => {
    pg = await PgTestCluster.start()
  })
  afterAll(() => pg?.stop())

  it("unreachable at start: DatabaseUnreachableError names host and port, never the password", async () => {
    const port = await PgTestCluster.freePort()
    const store = Store.postgres({ url: `postgres://admin:s3cret-pw@127.0.0.1:${port}/journal` })
    const exit = await Effect.runPromise(
      Effect.exit(Effect.provide(Effect.void, Durable.client({ store })) as Effect.Effect<void, unknown>)
    )
    const error = failureOf(exit)
    expect(error).toBeInstanceOf(Errors.DatabaseUnreachableError)
    expect(error).toMatchObject({ host: "127.0.0.1", port, database: "journal" })
    expect(JSON.stringify(error)).not.toContain("s3cret-pw")
    expect(error.message).toContain(`127.0.0.1:${port}`)
  })

  it("down while an execution waits: clients get a typed error; once it is back the execution finishes", async () => {
    s = scratch()
    const env = { STORE: pg.url, SIDE_EFFECTS: s.sideEffects }
    const runner = startWorker(["run", "approved", '{"n":42}'], env)
    workers.push(runner)
    const id = await waitFor("the id", () => {
      const line = runner
        .output()
        .split("\n")
        .find((l) => l.startsWith("STARTED "))
      return line && JSON.parse(line.slice(8))
    })
    await waitFor("the approval to be asked for", async () => {
      const r = await runWorker(["client", "show", id], env)
      return r.line("OK")?.waitingOn?.length > 0 || undefined
    })
    pg.pause()
    try {
      const down = await runWorker(["client", "approve", id, "deploy", "frank"], env)
      expect(down.line("LAYER_ERROR")).toMatchObject({ _tag: "DatabaseUnreachableError", port: pg.port })
    } finally {
      pg.start()
    }
    const approved = await runWorker(["client", "approve", id, "deploy", "frank"], env)
    expect(approved.line("OK")).toBeNull()
    await exited(runner)
    expect(runner.output()).toContain('RESULT {"deployedBy":"frank"}')
    // Shard locks are rows, not advisory locks: the restart did not make the runner run a step twice.
    expect([s.runs("prepare"), s.runs("deploy")]).toEqual([1, 1])
    // The journal on PostgreSQL lists and purges like the embedded one.
    const listed = (await runWorker(["client", "list"], env)).line("OK")
    expect(listed).toEqual([expect.objectContaining({ id, workflow: "approved", status: "succeeded" })])
    expect((await runWorker(["client", "purge", "0"], env)).line("OK")).toEqual({ purged: 1 })
    expect((await runWorker(["client", "list"], env)).line("OK")).toEqual([])
  })

  it("down at a runner's start: DatabaseUnreachableError; once it is back a new runner resumes, nothing lost", async () => {
    s = scratch()
    const env = { STORE: pg.url, SIDE_EFFECTS: s.sideEffects }
    // A runner dies inside step c of an execution.
    const first = startWorker(["run", "pipeline", '{"n":5}'], { ...env, BLOCK_IN: "c" })
    workers.push(first)
    await waitFor(
      "the kill point",
      () => s.lines().some((l) => l.startsWith("blocked c ")) || undefined,
      60_000,
      first
    )
    await first.kill()
    pg.pause()
    try {
      const down = await runWorker(["run", "pipeline", '{"n":5}'], env)
      expect(down.code).toBe(3)
      expect(down.line("LAYER_ERROR")).toMatchObject({
        _tag: "DatabaseUnreachableError",
        host: "127.0.0.1",
        port: pg.port
      })
    } finally {
      pg.start()
    }
    const resumed = await runWorker(["run", "pipeline", '{"n":5}'], env)
    expect(resumed.line("RESULT")).toEqual({ n: ((5 + 1) * 2 + 3) * 10 })
    // Only the step the dead runner was inside ran again.
    expect(["a", "b", "c", "d"].map((step) => s.runs(step))).toEqual([1, 1, 2, 1])
  })

  it("down in the middle of a step: the run waits it out and finishes with the same result", async () => {
    s = scratch()
    const env = { STORE: pg.url, SIDE_EFFECTS: s.sideEffects }
    const runner = startWorker(["run", "pipeline", '{"n":6}'], { ...env, HOLD_ONCE: "c" })
    workers.push(runner)
    await waitFor("step c", () => s.lines().some((l) => l.startsWith("held c ")) || undefined, 60_000, runner)
    pg.pause()
    try {
      // Step c finishes while the database is down: its result cannot be written yet.
      writeFileSync(`${s.sideEffects}.release`, "")
      // The runner is still there, not crashed, while the database is away.
      await waitFor(
        "step c to finish",
        () => s.lines().some((l) => l.startsWith("released c ")) || undefined,
        60_000,
        runner
      )
      expect(runner.child.exitCode).toBeNull()
    } finally {
      pg.start()
    }
    await exited(runner)
    expect(runner.output()).toContain(`RESULT {"n":${((6 + 1) * 2 + 3) * 10}}`)
    // a and b were journaled before the outage and did not run again; c at most once more, d once.
    expect(["a", "b", "d"].map((step) => s.runs(step))).toEqual([1, 1, 1])
    expect(s.runs("c")).toBeLessThanOrEqual(2)
  })
})
