import { type ChildProcess, spawn } from "node:child_process"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import type { E2bCommandHandle, E2bSandboxLike } from "../../src/backends/e2b/E2b.ts"

/**
 * A STAND-IN for the E2B SDK's `Sandbox` (there is no network here). It implements exactly the
 * surface the e2b backend uses — `files.write`, `files.remove`, `commands.run(..., { background,
 * stdin, onStdout, onStderr, timeoutMs })`, `commands.sendStdin`, `kill` — on the local machine:
 * files go to the local disk and the command runs as a local child process, so the real runner
 * script runs unchanged. Like E2B, commands run through `bash -l -c`.
 */
export interface LocalE2b extends E2bSandboxLike {
  readonly started: Array<string>
  readonly stdinLines: Array<string>
  readonly killed: () => boolean
}

export const makeLocalE2b = (): LocalE2b => {
  const processes = new Map<number, ChildProcess>()
  const started: Array<string> = []
  const stdinLines: Array<string> = []
  let killed = false
  const killTree = (child: ChildProcess) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
    } catch {}
  }
  return {
    started,
    stdinLines,
    killed: () => killed,
    files: {
      write: async (entries) => {
        for (const { path, data } of entries) {
          await mkdir(dirname(path), { recursive: true })
          await writeFile(path, data)
        }
        return entries.map(({ path }) => ({ path, name: path.split("/").pop() }))
      },
      remove: (path) => rm(path, { recursive: true, force: true })
    },
    commands: {
      run: async (cmd, opts): Promise<E2bCommandHandle> => {
        started.push(cmd)
        const child = spawn("bash", ["-l", "-c", cmd], { stdio: ["pipe", "pipe", "pipe"], detached: true })
        child.stdout!.setEncoding("utf8").on("data", (d: string) => opts.onStdout(d))
        child.stderr!.setEncoding("utf8").on("data", (d: string) => opts.onStderr(d))
        const timer = opts.timeoutMs > 0 ? setTimeout(() => killTree(child), opts.timeoutMs) : undefined
        // Like the SDK: wait() settles once the output has been delivered, and rejects on a non-zero exit.
        const exit = new Promise<{ exitCode: number }>((resolve, reject) =>
          child.on("close", (code, signal) => {
            clearTimeout(timer)
            processes.delete(child.pid!)
            if (code === 0) resolve({ exitCode: 0 })
            else reject(new Error(`command exited with ${code ?? signal}`))
          })
        )
        exit.catch(() => undefined)
        processes.set(child.pid!, child)
        return {
          pid: child.pid!,
          wait: () => exit,
          kill: async () => {
            killTree(child)
            return true
          }
        }
      },
      sendStdin: async (pid, data) => {
        stdinLines.push(data)
        const child = processes.get(pid)
        if (child === undefined) throw new Error(`no process ${pid}`)
        child.stdin!.write(data)
      }
    },
    kill: async () => {
      killed = true
      for (const child of processes.values()) killTree(child)
    }
  }
}
