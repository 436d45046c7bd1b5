// gpt-tokenizer is an optional peer dependency. Without it (hidden from resolution in a child Node
// process by scripts/test-support/hide-packages.mjs, Node's own "not found"), counts are estimates
// and the note beside every figure says so, naming the install command; with it, exact o200k_base.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { TokenAccount, Tokenizer } from "../src/index.ts"

const hook = join(import.meta.dirname, "..", "..", "..", "scripts", "test-support", "hide-packages.mjs")
const source = join(import.meta.dirname, "..", "src", "index.ts")

const script = `
import { TokenAccount, Tokenizer } from ${JSON.stringify(source)}
const zero = { definitions: 0, calls: 0, results: 0, total: 0 }
console.log(JSON.stringify({
  kind: Tokenizer.kind(),
  count: TokenAccount.count("twelve chars"),
  table: TokenAccount.table({ direct: zero, toolSearch: zero, codeMode: zero, savedVsDirect: 0, savedVsToolSearch: 0 }),
  kindAfter: Tokenizer.kind()
}))`

const runWith = async (hidden: string) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--no-warnings", "--conditions=@tta/source", "--import", hook, "--input-type=module", "-e", script],
    { env: { ...process.env, TTA_HIDE_PACKAGES: hidden } }
  )
  return JSON.parse(stdout) as { kind: string; count: number; table: string; kindAfter: string }
}

describe("Tokenizer", () => {
  it("without gpt-tokenizer: an estimate (4 characters a token) that every note calls one", async () => {
    const out = await runWith("gpt-tokenizer")
    expect(out.kind).toBe("estimate")
    expect(out.kindAfter).toBe("estimate")
    expect(out.count).toBe(3)
    expect(out.table).toContain("Tokens ESTIMATED at 4 characters a token")
    expect(out.table).toContain(Tokenizer.peer.install)
  })

  it("with gpt-tokenizer: exact o200k_base counts, said so", async () => {
    const out = await runWith("")
    expect(out.kind).toBe("o200k_base")
    expect(out.count).toBe(TokenAccount.count("twelve chars"))
    expect(out.table).toContain(TokenAccount.tokenizerNote)
    expect(Tokenizer.note()).toBe(TokenAccount.tokenizerNote)
  })
})
