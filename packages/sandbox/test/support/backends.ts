import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import type { SandboxError } from "../../src/Errors.ts"
import {
  E2b,
  type ExecuteRequest,
  type ExecutionResult,
  Sandbox,
  type SandboxUnavailable
} from "../../src/index.ts"
import { makeLocalE2b } from "./LocalE2b.ts"

export interface BackendCase {
  readonly name: "isolate" | "quickjs" | "e2b"
  readonly label: string
  readonly layer: Layer.Layer<Sandbox, SandboxUnavailable>
}

export const e2bWorkdir = mkdtempSync(join(tmpdir(), "tta-e2b-"))
afterAll(() => rmSync(e2bWorkdir, { recursive: true, force: true }))

export const backends: ReadonlyArray<BackendCase> = [
  { name: "isolate", label: "isolate (isolated-vm)", layer: Sandbox.isolate },
  { name: "quickjs", label: "quickjs (quickjs-emscripten)", layer: Sandbox.quickjs },
  {
    name: "e2b",
    label: "e2b (LOCAL STAND-IN for the E2B SDK: the real runner as a local child process)",
    layer: E2b.layer({ create: async () => makeLocalE2b(), node: process.execPath, workdir: e2bWorkdir })
  }
]

export const run = (request: ExecuteRequest): Effect.Effect<ExecutionResult, SandboxError, Sandbox> =>
  Effect.flatMap(Sandbox, (s) => s.execute(request))

export const runError = (request: ExecuteRequest): Effect.Effect<SandboxError, ExecutionResult, Sandbox> =>
  Effect.flip(run(request))
