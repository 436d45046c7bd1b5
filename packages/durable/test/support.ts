/**
 * Helpers for the crash tests: worker child processes (test/fixtures/worker.ts), bounded polling
 * (no fixed sleeps), and side-effect counts read from the file the steps append to.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const worker = join(import.meta.dirname, "fixtures", "worker.ts")

/** A child process whose stdout and stderr are kept as one text. */
export interface Proc {
  readonly child: ChildProcess
  readonly pid: number
  readonly output: () => string
  /** Resolves with the process's exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>
  /** SIGKILL (unless it already ended) and wait for the exit. */
  readonly kill: () => Promise<void>
}

export const spawnProc = (
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Proc => {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let text = ""
  child.stdout!.on("data", (d) => (text += d))
  child.stderr!.on("data", (d) => (text += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return {
    child,
    pid: child.pid!,
    output: () => text,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      await exited
    }
  }
}

export type Worker = Proc

export const startWorker = (args: ReadonlyArray<string>, env: Record<string, string>): Worker =>
  spawnProc(process.execPath, ["--conditions=@tta/source", worker, ...args], env)

/** Waits (bounded) for a worker to exit; on timeout the error shows what the worker printed. */
export const exited = async (w: Worker, timeoutMs = 90_000): Promise<number | null> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`worker did not exit within ${timeoutMs} ms:\n${w.output()}`)),
      timeoutMs
    )
  })
  try {
    return await Promise.race([w.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs a worker to completion and returns its tagged output lines (`RESULT {...}` etc.). */
export const runWorker = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const w = startWorker(args, env)
  const code = await exited(w).finally(() => w.kill())
  return { code, output: w.output(), line: (tag: string) => lineOf(w.output(), tag) }
}

export const lineOf = (output: string, tag: string): any => {
  const line = output.split("\n").find((l) => l.startsWith(`${tag} `))
  return line === undefined ? undefined : JSON.parse(line.slice(tag.length + 1))
}

/**
 * Polls `check` every 50 ms until it returns a value other than undefined, for at most `timeoutMs`;
 * gives up at once when `alive` (a worker the wait depends on) has exited.
 */
export const waitFor = async <A>(
  what: string,
  check: () => A | undefined | Promise<A | undefined>,
  timeoutMs = 60_000,
  alive?: Worker
) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    // The worker this wait depends on has gone: waiting longer cannot help.
    if (alive !== undefined && (alive.child.exitCode !== null || alive.child.signalCode !== null)) {
      throw new Error(`worker exited while waiting for ${what}:\n${alive.output()}`)
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface Scratch {
  readonly dir: string
  readonly sideEffects: string
  readonly runs: (name: string) => number
  readonly lines: () => Array<string>
  readonly cleanup: () => void
}

export const scratch = (): Scratch => {
  const dir = mkdtempSync(join(tmpdir(), "tta-durable-"))
  const sideEffects = join(dir, "side-effects")
  const lines = () =>
    existsSync(sideEffects) ? readFileSync(sideEffects, "utf8").split("\n").filter(Boolean) : []
  return {
    dir,
    sideEffects,
    lines,
    runs: (name) => lines().filter((l) => l.startsWith(`run ${name} `)).length,
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}
