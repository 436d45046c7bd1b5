import { randomUUID } from "node:crypto"
import { Effect, type Scope } from "effect"
import type { Backend, Session } from "../../Backend.ts"
import { CodeError, LimitName, SandboxUnavailable } from "../../Errors.ts"
import { exceeded, type Limits } from "../../Limits.ts"
import type { Program } from "../../Program.ts"
import { type RunnerRequest, runnerSource } from "./E2bRunner.ts"

/** A running command, as `commands.run(..., { background: true })` returns it in the E2B SDK. */
export interface E2bCommandHandle {
  readonly pid: number
  wait(): Promise<unknown>
  kill(): Promise<boolean>
}

/**
 * The part of the E2B SDK's `Sandbox` this backend uses; `@e2b/code-interpreter`'s `Sandbox`
 * satisfies it. Tests give a stand-in that runs the same runner as a local child process.
 */
export interface E2bSandboxLike {
  readonly files: {
    write(files: Array<{ path: string; data: string }>): Promise<unknown>
    remove(path: string): Promise<void>
  }
  readonly commands: {
    run(
      cmd: string,
      opts: {
        background: true
        stdin: true
        onStdout: (data: string) => void
        onStderr: (data: string) => void
        timeoutMs: number
      }
    ): Promise<E2bCommandHandle>
    sendStdin(pid: number, data: string): Promise<void>
  }
  kill(): Promise<unknown>
}

export interface Options {
  /** Makes the cloud sandbox. Default: `Sandbox.create({ apiKey, timeoutMs })` from `@e2b/code-interpreter`. */
  readonly create?: () => Promise<E2bSandboxLike>
  /** Default: the `E2B_API_KEY` environment variable (read by the SDK). */
  readonly apiKey?: string
  /** How long the cloud sandbox lives, in ms. Default 10 minutes. */
  readonly sandboxTimeoutMs?: number
  /** The Node command inside the sandbox. Default `node` (the runner needs Node ≥ 18). */
  readonly node?: string
  /** Where the runner and each execution's files go. Default `/home/user/.tta`. */
  readonly workdir?: string
  /** Default limits for executions on this layer. */
  readonly limits?: Limits
}

const defaultCreate = (options: Options) => async (): Promise<E2bSandboxLike> => {
  const { Sandbox } = await import("@e2b/code-interpreter")
  const sbx = await Sandbox.create({
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    timeoutMs: options.sandboxTimeoutMs ?? 600_000
  })
  return sbx as unknown as E2bSandboxLike
}

const stderrKeep = 16 * 1024

const run = (
  get: () => Promise<E2bSandboxLike>,
  node: string,
  workdir: string,
  program: Program,
  session: Session
): Effect.Effect<void, SandboxUnavailable | CodeError, Scope.Scope> =>
  Effect.gen(function* () {
    const { limits } = session
    const unavailable = (what: string) => (cause: unknown) =>
      new SandboxUnavailable({
        backend: "e2b",
        message: `${what}: ${String((cause as Error)?.message ?? cause)}`,
        cause
      })
    const sbx = yield* Effect.tryPromise({ try: get, catch: unavailable("could not create the E2B sandbox") })
    // A new directory and a new runner process per execution: nothing survives from one to the next.
    const dir = `${workdir}/run-${randomUUID()}`
    const request: RunnerRequest = {
      hostNames: session.hostNames,
      modules: [...program.modules.keys()],
      limits: {
        cpuTimeMs: limits.cpuTimeMs,
        wallTimeMs: limits.wallTimeMs,
        memoryMb: limits.memoryMb,
        outputBytes: limits.outputBytes
      }
    }
    // Every mounted file goes up, so each is stripped now (a file that cannot be is the code's error).
    const files = yield* Effect.try({ try: () => [...program.modules], catch: (e) => e as CodeError })
    yield* Effect.tryPromise({
      try: () =>
        sbx.files.write([
          { path: `${dir}/request.json`, data: JSON.stringify(request) },
          ...files.map(([path, data]) => ({ path: `${dir}/files/${path}`, data }))
        ]),
      catch: unavailable("could not write the files into the E2B sandbox")
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => void sbx.files.remove(dir).catch(() => undefined)))

    let stderr = ""
    let buffer = ""
    const onLine = (line: string) => {
      let m: { t?: string; [k: string]: unknown }
      try {
        m = JSON.parse(line)
      } catch {
        return
      }
      switch (m.t) {
        case "call":
          return session.receive("call", m.id, m.name, m.args)
        case "log":
          return session.receive("log", m.level, m.message)
        case "done":
          return session.receive("done", m.value ?? undefined)
        case "invalid":
          return session.receive("invalid", m.message)
        case "tooLarge":
          return session.receive("tooLarge")
        case "limit": {
          const limit = LimitName.literals.find((l) => l === m.limit) ?? "wallTime"
          return session.fail(exceeded(limit, limits))
        }
        case "error": {
          const e = (m.error ?? {}) as { name?: string; message?: string; stack?: string }
          return session.fail(
            new CodeError({ name: e.name ?? "Error", message: e.message ?? "", stack: e.stack ?? "" })
          )
        }
      }
    }
    const onStdout = (chunk: string) => {
      buffer += chunk
      for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        onLine(line)
      }
    }
    const onStderr = (chunk: string) => {
      if (stderr.length < stderrKeep) stderr += chunk.slice(0, stderrKeep - stderr.length)
    }

    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          sbx.commands.run(`${node} --experimental-vm-modules --no-warnings ${workdir}/runner.mjs ${dir}`, {
            background: true,
            stdin: true,
            onStdout,
            onStderr,
            timeoutMs: limits.wallTimeMs + 10_000
          }),
        catch: unavailable("could not start the runner in the E2B sandbox")
      }),
      (h) => Effect.sync(() => void h.kill().catch(() => false))
    )
    session.attach({
      // The runner watches its own pending calls and timers.
      tracksIdle: false,
      settle: (id, ok, payload) => {
        const line = `${JSON.stringify(payload === undefined ? { t: "settle", id, ok } : { t: "settle", id, ok, payload })}\n`
        sbx.commands
          .sendStdin(handle.pid, line)
          .catch((e) => session.fail(unavailable("could not reach the runner")(e)))
      },
      fire: () => undefined
    })
    const exited = (cause?: unknown) => {
      if (buffer.trim() !== "") onStdout("\n")
      if (session.done()) return
      if (/heap out of memory|ERR_WORKER_OUT_OF_MEMORY/.test(stderr))
        return session.fail(exceeded("memory", limits))
      session.fail(
        new SandboxUnavailable({
          backend: "e2b",
          message: `the runner ended without a result${stderr === "" ? "" : `: ${stderr.trim().slice(-2000)}`}`,
          cause
        })
      )
    }
    handle.wait().then(() => exited(), exited)
  })

export const backend = (options: Options = {}): Effect.Effect<Backend, never, Scope.Scope> =>
  Effect.gen(function* () {
    const create = options.create ?? defaultCreate(options)
    const workdir = options.workdir ?? "/home/user/.tta"
    const node = options.node ?? "node"
    // One cloud sandbox per layer, made on first use; the runner script is written to it once.
    let sandbox: Promise<E2bSandboxLike> | undefined
    const get = () => {
      sandbox ??= create().then(async (sbx) => {
        await sbx.files.write([{ path: `${workdir}/runner.mjs`, data: runnerSource }])
        return sbx
      })
      sandbox.catch(() => {
        sandbox = undefined
      })
      return sandbox
    }
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        const sbx = await sandbox?.catch(() => undefined)
        await sbx?.kill().catch(() => undefined)
      })
    )
    return {
      name: "e2b",
      run: (program: Program, session: Session) => run(get, node, workdir, program, session)
    }
  })
