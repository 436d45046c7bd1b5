// `tta` run from the TypeScript sources (the workflows tests need the workspace's @tta/durable, not the
// bundled bin's copy): its exit code and output, whether it succeeded or not.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"

const execFileP = promisify(execFile)

/** The bin's source entry, for tests that spawn it themselves. */
export const ttaBin = join(import.meta.dirname, "..", "src", "bin", "tta.ts")

export interface TtaResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A child process's exit code and output, whether it succeeded (code 0) or not. */
export const outcome = (run: Promise<{ stdout: string; stderr: string }>): Promise<TtaResult> =>
  run.then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr
    })
  )

export const runTta = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}
): Promise<TtaResult> =>
  outcome(
    execFileP(process.execPath, ["--conditions=@tta/source", ttaBin, ...args], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      timeout: 60_000,
      env: options.env ?? process.env
    })
  )
