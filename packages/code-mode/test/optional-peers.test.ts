// The TypeScript checker, gpt-tokenizer, QuickJS and the E2B SDK are optional peer dependencies of
// @tta/code-mode. Run as a user who installed none of them: each case is a child Node process in
// which those packages are hidden from resolution (scripts/test-support/hide-packages.mjs: Node's
// own "not found" error, for import, require and import.meta.resolve), nothing uninstalled.
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { afterAll, describe, expect, inject, it } from "vitest"
import { outcome } from "./ttaSources.ts"

const hook = join(import.meta.dirname, "..", "..", "..", "scripts", "test-support", "hide-packages.mjs")
const peers = "typescript,typescript-api,gpt-tokenizer,quickjs-emscripten,@e2b/code-interpreter"
const env = { ...process.env, TTA_HIDE_PACKAGES: peers }
const work = mkdtempSync(join(tmpdir(), "tta-peers-"))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const node = (args: ReadonlyArray<string>) =>
  outcome(
    promisify(execFile)(process.execPath, ["--no-warnings", "--import", hook, ...args], { env, cwd: work })
  )

const write = (name: string, text: string) => {
  writeFileSync(join(work, name), text)
  return join(work, name)
}

describe("optional peers not installed", () => {
  it("typeCheck: true fails with MissingPeerDependency naming typescript; unset means no checker", async () => {
    const source = join(import.meta.dirname, "..", "src", "TypeCheck.ts")
    const script = write(
      "resolve.ts",
      `import { Effect } from ${JSON.stringify(import.meta.resolve("effect"))}
import * as TypeCheck from ${JSON.stringify(source)}
const required = await Effect.runPromise(Effect.flip(TypeCheck.resolve(true)))
const auto = await Effect.runPromise(TypeCheck.resolve(undefined))
console.log(JSON.stringify({ required, auto: auto === undefined ? "none" : "checker" }))`
    )
    const { stdout } = await node(["--conditions=@tta/source", script])
    const out = JSON.parse(stdout)
    expect(out.auto).toBe("none")
    expect(out.required).toMatchObject({ _tag: "MissingPeerDependency", package: "typescript" })
    expect(out.required.message).toContain("type-checking agent code needs typescript")
    expect(out.required.message).toContain("npm install typescript@~5.9.0")
  })

  it("tta exec runs the code unchecked, says so once, and labels token figures as estimates", async () => {
    const config = write("none.json", JSON.stringify({ mcpServers: {} }))
    const code = write("typo.ts", `const n: number = "not a number"\nexport default n\n`)
    const r = await node([
      inject("ttaBin"),
      "-c",
      config,
      "--dir",
      join(work, ".tta"),
      "exec",
      code,
      "--tokens"
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`value: "not a number"`)
    expect(r.stderr).toContain("tta: type-checking is off, agent code runs unchecked")
    expect(r.stderr).toContain("npm install typescript@~5.9.0")
    expect(r.stdout).toContain("tokens (estimate):")
    expect(r.stdout).toContain("npm install gpt-tokenizer@^4.0.0")
  })

  it("typeCheck: true in the config fails naming typescript (exit 3)", async () => {
    const config = write("strict.json", JSON.stringify({ mcpServers: {}, codeMode: { typeCheck: true } }))
    const code = write("two.ts", "export default 2\n")
    const r = await node([inject("ttaBin"), "-c", config, "--dir", join(work, ".tta"), "exec", code])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("type-checking agent code needs typescript")
    expect(r.stderr).toContain("npm install typescript@~5.9.0")
  })

  it("tta serve says once on stderr that type-checking is off, and its execute runs the code", async () => {
    const config = write("serve.json", JSON.stringify({ mcpServers: {} }))
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        "--no-warnings",
        "--import",
        hook,
        inject("ttaBin"),
        "-c",
        config,
        "--dir",
        join(work, ".tta"),
        "serve"
      ],
      env: env as Record<string, string>,
      cwd: work,
      stderr: "pipe"
    })
    let stderr = ""
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const client = new Client({ name: "peers-test", version: "1.0.0" })
    await client.connect(transport)
    try {
      const result = (await client.callTool({
        name: "execute",
        arguments: { code: `const n: number = "unchecked"\nexport default n` }
      })) as { isError?: boolean; structuredContent?: { value: unknown } }
      expect(result.isError).not.toBe(true)
      expect(result.structuredContent?.value).toBe("unchecked")
      expect(stderr.match(/type-checking is off/g)).toHaveLength(1)
    } finally {
      await client.close()
    }
  })

  it("a config that picks the quickjs sandbox fails naming quickjs-emscripten (exit 3)", async () => {
    const config = write("quickjs.json", JSON.stringify({ mcpServers: {}, codeMode: { sandbox: "quickjs" } }))
    const code = write("one.ts", "export default 1\n")
    const r = await node([inject("ttaBin"), "-c", config, "--dir", join(work, ".tta"), "exec", code])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("the quickjs sandbox backend needs quickjs-emscripten")
    expect(r.stderr).toContain("npm install quickjs-emscripten@^0.32.0")
  })
})
