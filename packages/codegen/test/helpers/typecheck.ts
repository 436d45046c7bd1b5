// Writes file trees to a temp dir and runs the workspace's real `tsc` over them.
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)
// TypeScript 7's bin is a small JS launcher for the native compiler.
const tscJs = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc")

// The same strictness as the workspace, so generated code meets the bar agents' code is held to.
const tsconfig = {
  compilerOptions: {
    target: "es2024",
    lib: ["es2024"],
    module: "nodenext",
    moduleResolution: "nodenext",
    types: [],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    noUnusedLocals: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    allowImportingTsExtensions: true,
    isolatedModules: true,
    noEmit: true,
    skipLibCheck: false
  },
  include: ["**/*.ts"]
}

export interface TscResult {
  readonly ok: boolean
  readonly output: string
}

/** Type-checks `files` (path → source) as one ESM project; returns tsc's verdict and diagnostics. */
export const typecheck = async (files: Readonly<Record<string, string>>): Promise<TscResult> => {
  const dir = mkdtempSync(join(tmpdir(), "tta-codegen-tsc-"))
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig))
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), source)
    }
    return await new Promise<TscResult>((resolve) => {
      execFile(
        process.execPath,
        [tscJs, "-p", join(dir, "tsconfig.json"), "--pretty", "false"],
        { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}` })
      )
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Reads a JSON fixture from test/fixtures. */
export const fixture = <A>(name: string): A =>
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8")) as A
