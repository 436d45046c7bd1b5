import type * as Fs from "node:fs"
import type * as Readline from "node:readline"
import type * as Vm from "node:vm"
import type * as WorkerThreads from "node:worker_threads"
import { type Install, type PreludeHandle, parts, preludeSource } from "../../Prelude.ts"
import { entryName, resolveSpecifier, unresolvedMessage } from "../../Program.ts"

/**
 * The runner: a Node script that runs one execution inside the E2B sandbox, started as
 * `node --experimental-vm-modules runner.mjs <dir>`. `<dir>/request.json` says what to run;
 * the mounted files are in `<dir>/files/`. It speaks JSON lines:
 *
 * - stdout (runner → host): `{t:"call",id,name,args}`, `{t:"log",level,message}`, and one final
 *   `{t:"done",value?}` | `{t:"invalid",message}` | `{t:"tooLarge"}` | `{t:"limit",limit}` | `{t:"error",error}`;
 * - stdin (host → runner): `{t:"settle",id,ok,payload?}`, one per host call.
 *
 * The code runs in a worker thread (heap limit from `resourceLimits`), in its own vm context with
 * only the prelude's globals; the main thread relays messages and watches CPU time and wall time.
 */
export interface RunnerRequest {
  readonly hostNames: ReadonlyArray<string>
  readonly modules: ReadonlyArray<string>
  readonly limits: {
    readonly cpuTimeMs: number
    readonly wallTimeMs: number
    readonly memoryMb: number
    readonly outputBytes: number
  }
}

interface RunnerDeps {
  readonly wt: typeof WorkerThreads
  readonly fs: typeof Fs
  readonly readline: typeof Readline
  readonly vm: typeof Vm
  readonly prelude: Install
  /** The prelude's parts compiled on first use (see `partSource` in Prelude.ts). */
  readonly parts: Readonly<Record<string, string>>
  readonly resolveSpecifier: typeof resolveSpecifier
  readonly unresolvedMessage: typeof unresolvedMessage
  readonly entryName: string
  readonly self: string
  readonly moduleGraph: typeof moduleGraph
  readonly describe: typeof describe
  readonly relay: typeof relay
}

interface GraphOptions {
  readonly dir: string
  readonly context: Vm.Context
  readonly has: (path: string) => boolean
  readonly pending: (delta: number) => void
}

// The mounted files as vm modules: static imports by path, import() served the same way.
// Self-contained like the runner: its source text is embedded in the runner's.
function moduleGraph(d: RunnerDeps, o: GraphOptions) {
  const modules = new Map<string, Vm.SourceTextModule>()
  const resolve = (specifier: string, referrer: { identifier: string }) => {
    const path = d.resolveSpecifier(specifier, referrer.identifier, o.has)
    if (path === undefined) throw new Error(d.unresolvedMessage(specifier, referrer.identifier))
    return module(path)
  }
  const importDynamically = async (specifier: string, referrer: { identifier: string }) => {
    o.pending(1)
    try {
      const m = resolve(specifier, referrer)
      if (m.status === "unlinked") await m.link(resolve)
      if (m.status === "linked") await m.evaluate()
      return m.namespace
    } finally {
      o.pending(-1)
    }
  }
  const module = (path: string): Vm.SourceTextModule => {
    let m = modules.get(path)
    if (m === undefined) {
      m = new d.vm.SourceTextModule(d.fs.readFileSync(`${o.dir}/files/${path}`, "utf8"), {
        identifier: path,
        context: o.context,
        importModuleDynamically: importDynamically as never
      })
      modules.set(path, m)
    }
    return m
  }
  return { module, resolve }
}

// An Error (or any thrown value) as the JSON the host rebuilds a CodeError from.
// Self-contained like the runner: its source text is embedded in the runner's.
function describe(e: unknown) {
  if (typeof e === "object" && e !== null && typeof (e as Error).message === "string") {
    const err = e as Error
    return { name: String(err.name ?? "Error"), message: err.message, stack: String(err.stack ?? "") }
  }
  let shown: string
  try {
    shown = JSON.stringify(e) ?? String(e)
  } catch {
    shown = String(e)
  }
  return {
    name: "ThrownValue",
    message: `the code threw a value that is not an Error: ${shown}`,
    stack: ""
  }
}

// The main thread: starts the worker, relays its messages to stdout and stdin's to it, and ends
// the run on the first final message, an out-of-memory, or CPU or wall time running out.
// Self-contained like the runner: its source text is embedded in the runner's.
function relay(d: RunnerDeps): void {
  const dir = process.argv[2] ?? "."
  const req = JSON.parse(d.fs.readFileSync(`${dir}/request.json`, "utf8")) as RunnerRequest
  const out = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`)
  let finished = false
  const end = (msg: unknown) => {
    if (finished) return
    finished = true
    out(msg)
    process.stdout.write("", () => process.exit(0))
  }
  const worker = new d.wt.Worker(new URL(d.self), {
    workerData: { dir, req },
    resourceLimits: { maxOldGenerationSizeMb: req.limits.memoryMb, stackSizeMb: 4 },
    // The code's own writes to stdout/stderr (if it ever reaches them) never mix with the protocol.
    stdout: true,
    stderr: true
  })
  worker.stdout.resume()
  worker.stderr.resume()
  worker.on("message", (m: { t: string }) => {
    if (m.t === "call" || m.t === "log") out(m)
    else end(m)
  })
  worker.on("error", (e: Error & { code?: string }) => {
    if (e.code === "ERR_WORKER_OUT_OF_MEMORY") end({ t: "limit", limit: "memory" })
    else end({ t: "error", error: d.describe(e) })
  })
  worker.on("exit", (code) =>
    end({
      t: "error",
      error: { name: "Error", message: `the runner's worker exited (code ${code})`, stack: "" }
    })
  )
  worker.on("online", () => {
    const base = process.cpuUsage()
    setInterval(() => {
      const used = process.cpuUsage(base)
      if ((used.user + used.system) / 1000 > req.limits.cpuTimeMs) {
        void worker.terminate()
        end({ t: "limit", limit: "cpuTime" })
      }
    }, 5).unref()
  })
  setTimeout(() => {
    void worker.terminate()
    end({ t: "limit", limit: "wallTime" })
  }, req.limits.wallTimeMs).unref()
  d.readline.createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() !== "") worker.postMessage(JSON.parse(line))
  })
}

// Must not reference anything outside its own body: its source text is the runner.
function runner(d: RunnerDeps): void {
  if (d.wt.isMainThread) {
    d.relay(d)
    return
  }

  const { dir, req } = d.wt.workerData as { dir: string; req: RunnerRequest }
  const port = d.wt.parentPort!
  const post = (m: unknown) => port.postMessage(m)
  let finished = false
  let pendingCalls = 0
  // Pending timers by id → deadline (this thread's clock, as the code's). One wake-up for the
  // earliest; each wake runs one timer, earliest (deadline, id) first, so an interval re-armed by
  // its callback is ordered by its new deadline against the rest even when the thread ran late.
  const timers = new Map<number, number>()
  let cancel: (() => void) | undefined
  let armedFor = Number.POSITIVE_INFINITY
  const earliest = () => {
    let first: [number, number] | undefined
    for (const [id, due] of timers)
      if (first === undefined || due < first[1] || (due === first[1] && id < first[0])) first = [id, due]
    return first
  }
  // Wakes for the earliest deadline: a timer at a time, each in its own macrotask (the code's
  // microtasks run in between, as in Node).
  const arm = () => {
    cancel?.()
    cancel = undefined
    const first = earliest()
    armedFor = first?.[1] ?? Number.POSITIVE_INFINITY
    if (first === undefined) return
    const wait = first[1] - Date.now()
    if (wait > 0) {
      const t = setTimeout(fireNext, wait)
      cancel = () => clearTimeout(t)
    } else {
      const t = setImmediate(fireNext)
      cancel = () => clearImmediate(t)
    }
  }
  const fireNext = () => {
    cancel = undefined
    const first = earliest()
    if (first !== undefined && first[1] <= Date.now()) {
      timers.delete(first[0])
      h?.fire(first[0])
      checkIdle()
    }
    if (!finished) arm()
  }
  const finish = (m: unknown) => {
    if (finished) return
    finished = true
    cancel?.()
    post(m)
  }
  // The code waits on nothing that can ever happen: report it instead of hanging until wall time.
  const checkIdle = () =>
    setImmediate(() => {
      if (!finished && pendingCalls === 0 && timers.size === 0) {
        finish({
          t: "error",
          error: {
            name: "Error",
            message:
              "the code is waiting on a promise that nothing will ever settle (no host call or timer is pending)",
            stack: ""
          }
        })
      }
    })
  let h: PreludeHandle | undefined
  const send = (kind: string, a?: unknown, b?: unknown, c?: unknown) => {
    if (kind === "load") return typeof a === "string" && Object.hasOwn(d.parts, a) ? d.parts[a] : undefined
    if (finished) return
    switch (kind) {
      case "call":
        pendingCalls++
        return post({ t: "call", id: a, name: b, args: c })
      case "log":
        return post({ t: "log", level: a, message: b })
      case "timer":
        timers.set(a as number, b as number)
        // A timer due before the armed wake-up re-arms it; a later one waits its turn.
        if ((b as number) < armedFor) arm()
        return
      case "clearTimer":
        timers.delete(a as number)
        return
      case "done":
        return finish({ t: "done", value: a })
      case "invalid":
        return finish({ t: "invalid", message: a })
      case "tooLarge":
        return finish({ t: "tooLarge" })
    }
  }
  const fail = (e: unknown) => finish({ t: "error", error: d.describe(e) })
  process.on("uncaughtException", fail)
  process.on("unhandledRejection", fail)

  const context = d.vm.createContext({}, { codeGeneration: { strings: true, wasm: false } })
  const install = d.vm.runInContext(`(${d.prelude.toString()})`, context) as Install
  h = install(d.vm.runInContext("globalThis", context), send, {
    hostNames: req.hostNames,
    outputBudget: req.limits.outputBytes
  })
  port.on("message", (m: { id: number; ok: boolean; payload?: string }) => {
    pendingCalls--
    h?.settle(m.id, m.ok, m.payload)
    checkIdle()
  })

  const graph = d.moduleGraph(d, {
    dir,
    context,
    has: (p: string) => req.modules.includes(p),
    // import(): counted as pending work while it loads, so the code is not taken for idle.
    pending: (delta: number) => {
      pendingCalls += delta
      if (delta < 0) checkIdle()
    }
  })
  const entry = graph.module(d.entryName)
  entry
    .link(graph.resolve)
    .then(() => {
      const evaluation = entry.evaluate()
      checkIdle()
      return evaluation
    })
    .then(() => h?.finish(entry.namespace as { default?: unknown }), fail)
}

/** The runner's source text (an ES module). */
export const runnerSource = `import * as wt from "node:worker_threads"
import * as fs from "node:fs"
import * as readline from "node:readline"
import * as vm from "node:vm"
const prelude = ${preludeSource}
const parts = ${JSON.stringify(parts)}
const resolveSpecifier = ${resolveSpecifier.toString()}
const unresolvedMessage = ${unresolvedMessage.toString()}
const moduleGraph = ${moduleGraph.toString()}
const describe = ${describe.toString()}
const relay = ${relay.toString()}
;(${runner.toString()})({ wt, fs, readline, vm, prelude, parts, resolveSpecifier, unresolvedMessage, moduleGraph, describe, relay, entryName: ${JSON.stringify(entryName)}, self: import.meta.url })
`
