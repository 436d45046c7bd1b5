// One `tta` binary for every CLI test of a run: the bin bundled from the current sources (as
// `pnpm build` makes dist/bin/tta.js, so never stale), started by each test as a user starts it.
// It lives under this package's node_modules so that its external packages (isolated-vm, QuickJS,
// TypeScript) resolve as they do from dist/; one directory per run, removed afterwards.
import { rmSync } from "node:fs"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { bundle } from "../scripts/bundle.ts"

declare module "vitest" {
  export interface ProvidedContext {
    ttaBin: string
  }
}

export default async function setup(project: TestProject) {
  const dir = join(import.meta.dirname, "..", "node_modules", ".cache", `tta-bin-${process.pid}`)
  project.provide("ttaBin", await bundle(dir))
  return () => rmSync(dir, { recursive: true, force: true })
}
