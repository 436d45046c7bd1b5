import { mergeConfig } from "vitest/config"
import { project } from "../../vitest.shared.ts"

// isolated-vm (the code-mode sandbox) asks for --no-node-snapshot: test files run in forked processes.
export default mergeConfig(project("demo", { testTimeout: 60_000, hookTimeout: 90_000 }), {
  test: { pool: "forks", execArgv: ["--no-node-snapshot", "--disable-warning=ExperimentalWarning"] }
})
