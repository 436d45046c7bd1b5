/**
 * `pnpm demo --runners 3`: a throwaway PostgreSQL (Debian's package) and N runner processes
 * (runner.ts, each with its own MCP servers) on it; triage executions started from this
 * process spread over the runners by shard; one runner is SIGKILLed mid-run (with its servers) and
 * the others finish its executions from the journal. Everything is stopped at the end.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { Durable, Store } from "@tta/durable"
import { PgTestCluster } from "@tta/durable/testing"
import { Effect, ManagedRuntime } from "effect"
import type { StepEvent } from "../Progress.ts"
import type { RunDirs } from "../Servers.ts"
import { defaultRequest } from "../Triage.ts"
import { flow } from "./flows.ts"

const conditions = process.execArgv.filter((a) => a.startsWith("--conditions"))
// The demo's runner entry (runner.ts): Durable.runners over the flows in this app's own module graph.
const runnerPath = join(import.meta.dirname, `runner${import.meta.filename.endsWith(".ts") ? ".ts" : ".js"}`)

export type RunnerEvent = StepEvent & { readonly pid: number }

export interface RunnersReport {
  /** The throwaway cluster (stopped and deleted at the end). */
  readonly postgres: { readonly port: number; readonly dataDir: string }
  readonly runners: ReadonlyArray<number>
  /** Each run's execution id. */
  readonly executions: Readonly<Record<string, string>>
  /** Which runners emitted events for each execution (in order of first event). */
  readonly ranOn: Readonly<Record<string, ReadonlyArray<number>>>
  /** The runner that finished each execution (its last step). */
  readonly finishedOn: Readonly<Record<string, number>>
  readonly killed: { readonly pid: number; readonly unfinished: ReadonlyArray<string> }
  /** From the kill to the first event of one of its unfinished runs on another runner. */
  readonly failoverMs: number | undefined
  readonly outcomes: Readonly<Record<string, string>>
}

export interface Runner {
  readonly child: ChildProcess
  readonly up: Promise<void>
  readonly exited: Promise<void>
}

/** Starts a runner (runner.ts) on `url` with the demo's flows (own process group, own servers). */
export const startRunner = (url: string, dir: string, onEvent: (e: RunnerEvent) => void): Runner => {
  const child = spawn(
    process.execPath,
    ["--no-node-snapshot", "--disable-warning=ExperimentalWarning", ...conditions, runnerPath, url],
    { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TTA_DEMO_DIR: dir } }
  )
  let out = ""
  let err = ""
  child.stdout!.on("data", (chunk) => {
    out += chunk
    let nl = out.indexOf("\n")
    while (nl >= 0) {
      const line = out.slice(0, nl)
      out = out.slice(nl + 1)
      if (line.startsWith("EVENT ")) onEvent(JSON.parse(line.slice(6)) as RunnerEvent)
      nl = out.indexOf("\n")
    }
  })
  const up = new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      err += chunk
      if (/runner \d+ on postgres/.test(err)) resolve()
    })
    child.on("exit", () => reject(new Error(`runner ${child.pid} exited: ${err.trim()}`)))
  })
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  return { child, up, exited }
}

export const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // gone already
  }
}

export interface RunnersHooks {
  readonly onEvent?: (e: RunnerEvent) => void
  readonly onNote?: (text: string) => void
}

/** Runs `executions` triages on `n` runners, kills one mid-run; resolves when all have finished. */
export const runRunnersDemo = async (
  dirs: RunDirs,
  n: number,
  count: number,
  hooks: RunnersHooks = {}
): Promise<RunnersReport> => {
  const note = hooks.onNote ?? (() => {})
  const pg = await PgTestCluster.start()
  const runners: Array<Runner> = []
  const client = ManagedRuntime.make(Durable.remote({ store: Store.postgres({ url: pg.url }) }))
  try {
    note(`PostgreSQL on ${pg.host}:${pg.port} (throwaway cluster in ${pg.dataDir})`)
    const ranOn: Record<string, Array<number>> = {}
    const finished = new Set<string>()
    const finishedOn: Record<string, number> = {}
    let victim: Runner | undefined
    let killedAt = 0
    let unfinished: Array<string> = []
    let failoverMs: number | undefined
    const onEvent = (e: RunnerEvent) => {
      const pids = ranOn[e.run] ?? []
      ranOn[e.run] = pids
      if (!pids.includes(e.pid)) pids.push(e.pid)
      if (e.step === "page-on-call" && e.status === "ok") {
        finished.add(e.run)
        finishedOn[e.run] = e.pid
      }
      if (victim && failoverMs === undefined && e.pid !== victim.child.pid && unfinished.includes(e.run))
        failoverMs = Date.now() - killedAt
      hooks.onEvent?.(e)
      // Kill the first runner to reach a triage's severity assessment: it is mid-run.
      if (victim === undefined && e.step === "assess-severity") {
        victim = runners.find((r) => r.child.pid === e.pid)
        if (victim === undefined) return
        killedAt = Date.now()
        unfinished = Object.keys(ranOn).filter((run) => ranOn[run]!.includes(e.pid) && !finished.has(run))
        signalGroup(victim.child, "SIGKILL")
        note(
          `runner ${e.pid} killed (SIGKILL, with its MCP servers) with ${unfinished.join(", ")} unfinished`
        )
      }
    }
    for (let i = 0; i < n; i++) runners.push(startRunner(pg.url, dirs.root, onEvent))
    await Promise.all(runners.map((r) => r.up))
    note(`${n} runners up: ${runners.map((r) => r.child.pid).join(", ")}`)
    const runIds = Array.from({ length: count }, (_, i) => `triage-${i + 1}`)
    const executions: Record<string, string> = {}
    const outcomes = await client.runPromise(
      Effect.gen(function* () {
        const ids: ReadonlyArray<string> = yield* Effect.forEach(runIds, (runId) =>
          flow.start({ ...defaultRequest, runId })
        )
        for (const [i, id] of ids.entries()) executions[runIds[i]!] = id
        note(
          `started ${runIds.length} triages: ${ids.map((id, i) => `${runIds[i]} = ${id.slice(0, 8)}`).join(", ")}`
        )
        const result: Record<string, string> = {}
        for (const [i, id] of ids.entries()) {
          for (;;) {
            const polled = yield* flow.poll(id)
            if (polled._tag === "Some" && polled.value._tag !== "Waiting") {
              result[runIds[i]!] = polled.value._tag
              break
            }
            yield* Effect.sleep("250 millis")
          }
        }
        return result
      }).pipe(
        // Bounded, so a stuck group fails the demo (and everything is stopped) instead of hanging.
        Effect.timeout("4 minutes")
      )
    )
    return {
      postgres: { port: pg.port, dataDir: pg.dataDir },
      runners: runners.map((r) => r.child.pid!),
      executions,
      ranOn,
      finishedOn,
      killed: { pid: victim?.child.pid ?? 0, unfinished },
      failoverMs,
      outcomes
    }
  } finally {
    for (const r of runners) signalGroup(r.child, "SIGTERM")
    await Promise.all(runners.map((r) => r.exited))
    await client.dispose()
    pg.stop()
  }
}
