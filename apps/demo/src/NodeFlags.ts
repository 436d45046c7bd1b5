/**
 * isolated-vm (the code-mode sandbox) wants V8 without Node's startup snapshot. A script that runs
 * agent code calls this first: without `--no-node-snapshot` it runs itself again with the flag and
 * exits with the child's status.
 */
import { spawnSync } from "node:child_process"

export const relaunchForIsolates = (): void => {
  if (process.execArgv.includes("--no-node-snapshot")) return
  const child = spawnSync(
    process.execPath,
    [
      "--no-node-snapshot",
      "--disable-warning=ExperimentalWarning",
      ...process.execArgv,
      process.argv[1] ?? "",
      ...process.argv.slice(2)
    ],
    { stdio: "inherit" }
  )
  process.exit(child.status ?? 1)
}
