import { mergeConfig } from "vitest/config"
import { project } from "../../vitest.shared.ts"

export default mergeConfig(project("code-mode"), { test: { globalSetup: ["test/globalSetup.ts"] } })
