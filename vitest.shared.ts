import { defineProject } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through the "@tta/source" export condition,
// so tests never run against a stale dist/. (Not plain "source": some npm packages ship that condition
// pointing at TypeScript that Node will not run from node_modules.)
export const project = (name: string, overrides: { testTimeout?: number; hookTimeout?: number } = {}) =>
  defineProject({
    resolve: { conditions: ["@tta/source"] },
    ssr: { resolve: { conditions: ["@tta/source"] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: overrides.hookTimeout ?? 60_000
    }
  })
