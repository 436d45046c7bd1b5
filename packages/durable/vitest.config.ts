import { defineProject, mergeConfig } from "vitest/config"
import { project } from "../../vitest.shared.ts"

// Crash tests start worker processes and PostgreSQL clusters: one test file at a time (the rest of
// the suite still runs beside it), with room for a busy 2-core machine.
export default mergeConfig(
  project("durable", { testTimeout: 180_000, hookTimeout: 120_000 }),
  defineProject({ test: { fileParallelism: false } })
)
