// pack-check's second look at @tta/code-mode: its optional peer dependencies (TypeScript, gpt-tokenizer,
// QuickJS, the E2B SDK) from the user's side. In the fresh project that installed the tarball alone,
// `tta` must run without them and say what is missing; after `npm install` of the peers beside it,
// the bundled bin must find them in the user's node_modules (type errors, exact token counts, the
// quickjs backend). Returns one line per check and the footprint with the peers installed.
import type { SpawnSyncReturns } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

export interface Tools {
  readonly npm: (args: ReadonlyArray<string>, cwd: string) => SpawnSyncReturns<string>
  readonly tta: (args: ReadonlyArray<string>, cwd: string) => SpawnSyncReturns<string>
  readonly atCatalogVersion: (name: string) => string
}

export interface PeerReport {
  readonly checks: ReadonlyArray<{ readonly what: string; readonly ok: boolean; readonly detail: string }>
  readonly installWarnings: ReadonlyArray<string>
}

/** The peers as a user installs them (TypeScript 5.9 under its own name, not the workspace alias). */
export const peers = (tools: Tools) => [
  "typescript@~5.9.0",
  tools.atCatalogVersion("gpt-tokenizer"),
  tools.atCatalogVersion("quickjs-emscripten"),
  tools.atCatalogVersion("@e2b/code-interpreter")
]

export const checkCodeModePeers = (project: string, tools: Tools): PeerReport => {
  const file = (name: string, text: string) => {
    writeFileSync(join(project, name), text)
    return name
  }
  const none = file("none.json", JSON.stringify({ mcpServers: {} }))
  const quickjs = file("quickjs.json", JSON.stringify({ mcpServers: {}, codeMode: { sandbox: "quickjs" } }))
  const typo = file("typo.ts", `const n: number = "not a number"\nexport default n\n`)
  const one = file("one.ts", "export default 1\n")
  const exec = (config: string, code: string, ...flags: Array<string>) => {
    const r = tools.tta(["-c", config, "--dir", ".tta", "exec", code, ...flags], project)
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` }
  }
  const checks: Array<PeerReport["checks"][number]> = []
  const check = (
    what: string,
    r: { status: number | null; out: string },
    status: number,
    ...has: Array<string>
  ) => {
    const ok = r.status === status && has.every((h) => r.out.includes(h))
    checks.push({
      what,
      ok,
      detail: ok ? "" : `exit ${r.status}: ${r.out.trim().split("\n").slice(-3).join(" / ")}`
    })
  }

  check(
    "without peers: tta exec runs unchecked, says so, estimates tokens",
    exec(none, typo, "--tokens"),
    0,
    "type-checking is off",
    "tokens (estimate)"
  )
  check(
    "without peers: the quickjs sandbox is named as missing",
    exec(quickjs, typo),
    3,
    "needs quickjs-emscripten"
  )

  const install = tools.npm(["install", "--no-audit", "--no-fund", ...peers(tools)], project)
  const installWarnings = `${install.stdout}\n${install.stderr}`
    .split("\n")
    .filter((l) => /\bwarn\b/i.test(l))
  check(
    "with peers: the bin finds TypeScript in the user's install (a type error, exit 1)",
    exec(none, typo),
    1,
    "error TS2322"
  )
  check("with peers: exact token counts", exec(none, one, "--tokens"), 0, "tokens (o200k_base)")
  check("with peers: the quickjs sandbox runs", exec(quickjs, one), 0, "value: 1")
  return { checks, installWarnings }
}
