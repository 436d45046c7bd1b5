/**
 * `pnpm demo --crash`: a durable triage in a worker process (worker.ts) that is SIGKILLed mid-run
 * — with its MCP servers, as a machine crash would — and started again: the new worker resumes from
 * the journal (finished steps are not run again), reaches the paging step, which waits for a
 * person, and finishes once the approval is given with the real `tta workflows approve` CLI.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Durable, DurableClient, type Model, Store } from "@tta/durable"
import { Effect, ManagedRuntime } from "effect"
import { pageApproval } from "./DurableRun.ts"
import type { StepEvent } from "./Progress.ts"
import type { RunDirs } from "./Servers.ts"
import type { TriageResult } from "./Triage.ts"

const execFileP = promisify(execFile)
const workerPath = join(import.meta.dirname, `worker${import.meta.filename.endsWith(".ts") ? ".ts" : ".js"}`)
const conditions = process.execArgv.filter((a) => a.startsWith("--conditions"))

/** The `tta` CLI of @tta/code-mode: its sources when we run from sources, else its build. */
const ttaCommand = (): Array<string> => {
  const entry = fileURLToPath(import.meta.resolve("@tta/code-mode"))
  return entry.endsWith(".ts")
    ? [...conditions, join(dirname(entry), "bin", "tta.ts")]
    : [join(dirname(entry), "bin", "tta.js")]
}

export interface CrashReport {
  readonly executionId: string
  /** The two workers' pids (each led its own process group, with its MCP servers). */
  readonly workers: ReadonlyArray<number>
  /** The event after which the first worker was killed (it was inside the next step). */
  readonly killedAfter: StepEvent
  readonly firstWorker: ReadonlyArray<StepEvent>
  readonly secondWorker: ReadonlyArray<StepEvent>
  /** Journaled before the kill: the second worker took their results from the journal. */
  readonly replayed: ReadonlyArray<string>
  /** Started before the kill, finished after it: interrupted, so run again. */
  readonly ranAgain: ReadonlyArray<string>
  /** First run by the second worker. */
  readonly ranAfterRestart: ReadonlyArray<string>
  readonly approval: { readonly name: string; readonly command: string; readonly output: string }
  readonly journal: string
  readonly result: TriageResult
}

export interface CrashHooks {
  readonly onEvent?: (worker: 1 | 2, event: StepEvent) => void
  readonly onNote?: (text: string) => void
}

interface Worker {
  readonly child: ChildProcess
  readonly exited: Promise<void>
  readonly result: () => unknown
  readonly failure: () => unknown
}

const startWorker = (
  dirs: RunDirs,
  key: string,
  onEvent: (e: StepEvent) => void,
  extra: ReadonlyArray<string> = []
): Worker => {
  // Its own process group: killing the group takes its MCP servers down with it.
  const child = spawn(
    process.execPath,
    [
      "--no-node-snapshot",
      "--disable-warning=ExperimentalWarning",
      ...conditions,
      workerPath,
      "--dir",
      dirs.root,
      "--key",
      key,
      ...extra
    ],
    { detached: true, stdio: ["ignore", "pipe", "pipe"] }
  )
  let buffer = ""
  let stderr = ""
  let result: unknown
  let failure: unknown
  child.stdout!.on("data", (chunk) => {
    buffer += chunk
    let nl = buffer.indexOf("\n")
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      const space = line.indexOf(" ")
      const tag = space > 0 ? line.slice(0, space) : ""
      // Only the worker's own lines are JSON; anything else on its stdout is a log line (effect/cluster
      // warns "No healthy runners available" when a loaded machine delays a heartbeat): kept with its
      // stderr for a failure to show, never parsed.
      if (tag === "EVENT" || tag === "RESULT" || tag === "FAILED") {
        const value = JSON.parse(line.slice(space + 1))
        if (tag === "EVENT") onEvent(value as StepEvent)
        else if (tag === "RESULT") result = value
        else failure = value
      } else stderr += `${line}\n`
      nl = buffer.indexOf("\n")
    }
  })
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  return { child, exited, result: () => result, failure: () => failure ?? (stderr.trim() || undefined) }
}

const killGroup = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, "SIGKILL")
  } catch {
    // already gone
  }
}

/** Runs the crash demo under `dirs`; throws if a worker fails. */
export const runCrashDemo = async (dirs: RunDirs, hooks: CrashHooks = {}): Promise<CrashReport> => {
  const note = hooks.onNote ?? (() => {})
  const db = join(dirs.root, "durable.db")
  // A key per invocation: a --dir used before starts a new execution instead of finding the old one.
  const key = `triage-crash@${new Date().toISOString()}`
  const first: Array<StepEvent> = []
  const second: Array<StepEvent> = []
  const workers: Array<Worker> = []
  const client = ManagedRuntime.make(Durable.client({ store: Store.embedded({ path: db }) }))
  // A stuck worker fails the demo (its exit ends every wait below) instead of hanging it.
  const guard = setTimeout(() => {
    for (const w of workers) killGroup(w.child)
  }, 240_000)
  guard.unref()
  try {
    let killedAfter: StepEvent | undefined
    const w1 = startWorker(
      dirs,
      key,
      (e) => {
        first.push(e)
        hooks.onEvent?.(1, e)
        // Kill inside the health check (in worker 1 it keeps failing and retrying): the interrupted check must run again.
        if (killedAfter === undefined && e.step === "health-check") {
          killedAfter = e
          killGroup(w1.child)
        }
      },
      ["--flaky-health"]
    )
    workers.push(w1)
    await w1.exited
    if (killedAfter === undefined)
      throw new Error(
        `the first worker ended before the kill: ${JSON.stringify(w1.failure() ?? w1.result())}`
      )
    note(`worker ${w1.child.pid} killed (SIGKILL, with its MCP servers) inside the health check`)

    const restartedAt = Date.now()
    const w2 = startWorker(dirs, key, (e) => {
      second.push(e)
      hooks.onEvent?.(2, e)
    })
    workers.push(w2)
    note(`worker ${w2.child.pid} started on the same store: it resumes the execution`)

    const list = (c: DurableClient.DurableClientShape) => c.list()
    const waiting = await client.runPromise(
      Effect.gen(function* () {
        const c = yield* DurableClient.DurableClient
        for (;;) {
          const found = (yield* list(c)).find((e) => e.waitingOn.some((w) => w.name === pageApproval))
          if (found) return found
          if (w2.child.exitCode !== null)
            return yield* Effect.die(`the second worker ended: ${JSON.stringify(w2.failure())}`)
          yield* Effect.sleep("200 millis")
        }
      })
    )
    const tta = ttaCommand()
    const args = ["workflows", "approve", waiting.id, pageApproval, "--by", "on-call-lead", "--store", db]
    note(`paging waits for a person: ${pageApproval}`)
    const approved = await execFileP(process.execPath, [...tta, ...args])
    const command = `tta ${args.join(" ")}`
    note(`$ ${command}\n${approved.stdout.trim()}`)
    await w2.exited
    const result = w2.result() as TriageResult | undefined
    if (result === undefined) throw new Error(`the second worker failed: ${JSON.stringify(w2.failure())}`)

    const detail: Model.ExecutionDetail = await client.runPromise(
      DurableClient.DurableClient.use((c) => c.show(waiting.id))
    )
    const steps = detail.activities.filter((a) => a.kind === "step")
    const names = (f: (a: Model.ActivityEntry) => boolean) => [...new Set(steps.filter(f).map((a) => a.name))]
    const journal = await execFileP(process.execPath, [
      ...tta,
      "workflows",
      "show",
      waiting.id,
      "--store",
      db
    ])
    return {
      executionId: waiting.id,
      workers: workers.map((w) => w.child.pid!),
      killedAfter,
      firstWorker: first,
      secondWorker: second,
      replayed: names((a) => a.finishedAt !== undefined && a.finishedAt < restartedAt),
      ranAgain: names((a) => a.startedAt < restartedAt && (a.finishedAt ?? Infinity) >= restartedAt),
      ranAfterRestart: names((a) => a.startedAt >= restartedAt),
      approval: { name: pageApproval, command, output: approved.stdout.trim() },
      journal: journal.stdout,
      result
    }
  } finally {
    clearTimeout(guard)
    for (const w of workers) killGroup(w.child)
    await client.dispose()
  }
}
