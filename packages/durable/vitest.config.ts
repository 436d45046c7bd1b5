import { project } from "../../vitest.shared.ts"

// Crash tests start child processes and a PostgreSQL cluster: give hooks room on a busy machine.
export default project("durable", { testTimeout: 120_000, hookTimeout: 120_000 })
