import type * as Fs from "node:fs"
import type * as Readline from "node:readline"
import type * as Vm from "node:vm"
import type * as WorkerThreads from "node:worker_threads"
import { type Install, type PreludeHandle, preludeSource } from "../../Prelude.ts"
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
  readonly resolveSpecifier: typeof resolveSpecifier
  readonly unresolvedMessage: typeof unresolvedMessage
  readonly entryName: string
  readonly self: string
}

// Must not reference anything outside its own body: its source text is the runner.
function runner(d: RunnerDeps): void {
  const describe = (e: unknown) => {
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

  if (d.wt.isMainThread) {
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
      else end({ t: "error", error: describe(e) })
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
    return
  }

  const { dir, req } = d.wt.workerData as { dir: string; req: RunnerRequest }
  const port = d.wt.parentPort!
  const post = (m: unknown) => port.postMessage(m)
  let finished = false
  let pendingCalls = 0
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  const finish = (m: unknown) => {
    if (finished) return
    finished = true
    for (const t of timers.values()) clearTimeout(t)
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
    if (finished) return
    switch (kind) {
      case "call":
        pendingCalls++
        return post({ t: "call", id: a, name: b, args: c })
      case "log":
        return post({ t: "log", level: a, message: b })
      case "timer":
        timers.set(
          a as number,
          setTimeout(() => {
            timers.delete(a as number)
            h?.fire(a as number)
            checkIdle()
          }, b as number)
        )
        return
      case "clearTimer":
        clearTimeout(timers.get(a as number))
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
  const fail = (e: unknown) => finish({ t: "error", error: describe(e) })
  process.on("uncaughtException", fail)
  process.on("unhandledRejection", fail)

  const context = d.vm.createContext({}, { codeGeneration: { strings: true, wasm: false } })
  const install = d.vm.runInContext(`(${d.prelude.toString()})`, context) as Install
  h = install(d.vm.runInContext("globalThis", context), send, req.hostNames, req.limits.outputBytes)
  port.on("message", (m: { id: number; ok: boolean; payload?: string }) => {
    pendingCalls--
    h?.settle(m.id, m.ok, m.payload)
    checkIdle()
  })

  const modules = new Map<string, Vm.SourceTextModule>()
  const load = (path: string) => {
    let m = modules.get(path)
    if (m === undefined) {
      m = new d.vm.SourceTextModule(d.fs.readFileSync(`${dir}/files/${path}`, "utf8"), {
        identifier: path,
        context
      })
      modules.set(path, m)
    }
    return m
  }
  const has = (p: string) => req.modules.includes(p)
  const entry = load(d.entryName)
  entry
    .link((specifier, referrer) => {
      const path = d.resolveSpecifier(specifier, referrer.identifier, has)
      if (path === undefined) throw new Error(d.unresolvedMessage(specifier, referrer.identifier))
      return load(path)
    })
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
const resolveSpecifier = ${resolveSpecifier.toString()}
const unresolvedMessage = ${unresolvedMessage.toString()}
;(${runner.toString()})({ wt, fs, readline, vm, prelude, resolveSpecifier, unresolvedMessage, entryName: ${JSON.stringify(entryName)}, self: import.meta.url })
`
