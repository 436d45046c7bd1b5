import { mergeConfig } from "vitest/config"
import { project } from "../../vitest.shared.ts"

// isolated-vm asks for --no-node-snapshot on Node >= 20; test files run in forked processes.
export default mergeConfig(project("sandbox", { testTimeout: 60_000 }), {
  test: { pool: "forks", execArgv: ["--no-node-snapshot"] }
})
