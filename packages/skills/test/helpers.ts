import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { SkillStore } from "../src/index.ts"

const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

export const tempRoot = (): string => {
  const d = mkdtempSync(join(tmpdir(), "tta-skills-"))
  dirs.push(d)
  return d
}

export const storeLayer = (root: string, options: Partial<SkillStore.Options> = {}) =>
  SkillStore.SkillStore.layerNode({ root, ...options })

export const skillDir = (root: string, name: string) => join(root, "skills", name)

/** Version numbers on disk, sorted. */
export const versionsOnDisk = (root: string, name: string): Array<number> =>
  readdirSync(join(skillDir(root, name), "versions"))
    .filter((f) => /^\d+\.ts$/.test(f))
    .map((f) => Number.parseInt(f, 10))
    .sort((a, b) => a - b)

export const readVersionFile = (root: string, name: string, v: number) =>
  readFileSync(join(skillDir(root, name), "versions", `${v}.ts`), "utf8")

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const writerPath = join(import.meta.dirname, "fixtures", "writer.ts")

export interface Writer {
  readonly ready: Promise<void>
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>
  readonly kill: (signal: NodeJS.Signals) => void
}

/** Starts test/fixtures/writer.ts in a real child process (Node 24 runs the .ts directly). */
export const startWriter = (args: {
  root: string
  mode: "same" | "distinct" | "loop" | "record" | "remove"
  count: number
  tag: string
  gate?: string
}): Writer => {
  const child = spawn(
    process.execPath,
    [
      "--no-warnings",
      writerPath,
      args.root,
      args.mode,
      String(args.count),
      args.tag,
      ...(args.gate ? [args.gate] : [])
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    onReady = resolve
  })
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString()
    if (output.includes("ready")) onReady()
  })
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString()
  })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output }))
  )
  return { ready, exit, kill: (signal) => child.kill(signal) }
}

/** Lines "<name> <version>" a writer appended after each completed save. */
export const progress = (root: string, tag: string): Array<{ name: string; version: number }> => {
  try {
    return readFileSync(join(root, `progress-${tag}.log`), "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => {
        const [name, v] = l.split(" ")
        return { name: name as string, version: Number(v) }
      })
  } catch {
    return []
  }
}
