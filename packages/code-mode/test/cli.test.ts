// The `tta` CLI as a user runs it (a child process on Node 24, real servers), driven by clients
// nobody here wrote: @modelcontextprotocol/inspector-cli over stdio and the official
// @modelcontextprotocol/conformance server scenarios over Streamable HTTP.
import { execFile, spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { waitFor } from "./processes.ts"
import { tempSession } from "./support.ts"
import { outcome } from "./ttaSources.ts"

const run = promisify(execFile)
const require = createRequire(import.meta.url)
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`))
const node = process.execPath
// The bin bundled once for the whole run (test/globalSetup.ts), as `pnpm build` makes it.
const ttaArgs = [inject("ttaBin")]

const session = tempSession()
const config = join(session.dir, ".mcp.json")
const dir = join(session.dir, ".tta")
const task = join(session.dir, "task.ts")

const tta = (args: Array<string>) =>
  outcome(run(node, [...ttaArgs, "-c", config, "--dir", dir, ...args], { cwd: session.dir, timeout: 60_000 }))

beforeAll(() => {
  writeFileSync(
    config,
    JSON.stringify({ mcpServers: session.mcpServers, codeMode: { policy: { deny: ["memory/delete_*"] } } })
  )
  writeFileSync(join(session.files, "hello.txt"), "hello from a real file")
  writeFileSync(
    task,
    `import { readTextFile } from "./servers/filesystem/index.ts"
const r = await readTextFile({ path: ${JSON.stringify(join(session.files, "hello.txt"))} })
console.info("read", r.content.length, "chars")
export default r.content.toUpperCase()`
  )
})

describe("tta CLI", () => {
  it("exec runs a file against the configured servers and prints value, logs and tool calls", async () => {
    const human = await tta(["exec", task])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('value: "HELLO FROM A REAL FILE"')
    expect(human.stdout).toContain("[info] read 22 chars")
    expect(human.stdout).toContain("1 tool call (filesystem.read_text_file)")
    // The token account only when asked: counting loads the o200k tokenizer.
    expect(human.stdout).not.toContain("tokens (o200k_base)")
  })

  it("exec --json --tokens prints the outcome with its token account", async () => {
    const machine = await tta(["--json", "exec", "--tokens", task])
    const parsed = JSON.parse(machine.stdout)
    expect(parsed).toMatchObject({
      value: "HELLO FROM A REAL FILE",
      toolCalls: [{ server: "filesystem", tool: "read_text_file", outcome: "ok" }]
    })
    expect(parsed.tokens.direct.total).toBeGreaterThan(parsed.tokens.codeMode.total)
  })

  it("exit codes and one-line errors: agent failure 1, bad usage or config 2", async () => {
    const bad = join(session.dir, "bad.ts")
    writeFileSync(
      bad,
      `import { readTextFile } from "./servers/filesystem/index.ts"\nexport default await readTextFile({ path: 1 })`
    )
    const typeError = await tta(["exec", bad])
    expect(typeError.code).toBe(1)
    expect(typeError.stderr).toMatch(/^tta: Type errors/m)
    expect(typeError.stderr).toMatch(/agent\.ts:2:\d+ - error TS2322/)
    const missing = await tta(["exec", join(session.dir, "missing.ts")])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim()).toBe(`tta: cannot read ${join(session.dir, "missing.ts")}`)
    const noConfig = await run(node, [...ttaArgs, "-c", join(session.dir, "none.json"), "tokens"]).catch(
      (e) => e
    )
    expect(noConfig.code).toBe(2)
    expect(noConfig.stderr).toContain("none.json")
    writeFileSync(join(session.dir, "broken.json"), JSON.stringify({ mcpServers: { fs: { args: ["x"] } } }))
    const broken = await run(node, [...ttaArgs, "-c", join(session.dir, "broken.json"), "tokens"]).catch(
      (e) => e
    )
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(/fs/)
    expect(
      broken.stderr
        .trim()
        .split("\n")
        .filter((l: string) => l.startsWith("tta:"))
    ).toHaveLength(1)
  })

  it("a configured server that cannot start: exit 3 naming it, or a warning with --allow-unavailable", async () => {
    const file = join(session.dir, "two.ts")
    writeFileSync(file, "export default 1 + 1")
    const badConfig = join(session.dir, "unstartable.json")
    writeFileSync(
      badConfig,
      JSON.stringify({
        mcpServers: {
          missing: { command: "/nonexistent/bin" },
          three: { command: node, args: ["-e", "process.exit(3)"] }
        },
        codeMode: { typeCheck: false }
      })
    )
    const strict = await run(node, [...ttaArgs, "-c", badConfig, "--dir", dir, "exec", file]).catch((e) => e)
    expect(strict.code).toBe(3)
    const errors = strict.stderr.split("\n").filter((l: string) => l.startsWith("tta:"))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/"missing" could not be started: cannot run "\/nonexistent\/bin"/)
    expect(errors[0]).toMatch(/"three" could not be started: exited with code 3/)
    const lenient = await run(node, [
      ...ttaArgs,
      "-c",
      badConfig,
      "--dir",
      dir,
      "exec",
      "--allow-unavailable",
      file
    ])
    expect(lenient.stdout).toContain("value: 2")
    expect(lenient.stderr).toMatch(/^tta: warning: MCP server "missing" could not be started/m)
    expect(lenient.stderr).toMatch(
      /^tta: warning: MCP server "three" could not be started: exited with code 3/m
    )
  })

  it("gen writes the API tree", async () => {
    const out = join(session.dir, "api")
    const gen = await tta(["gen", out])
    expect(gen.code).toBe(0)
    expect(readFileSync(join(out, "servers/index.ts"), "utf8")).toContain("filesystem")
    expect(existsSync(join(out, "servers/filesystem/readTextFile.ts"))).toBe(true)
    expect(gen.stderr).toContain("filesystem: 14 tools")
  })

  it("tokens prints the table", async () => {
    const tokens = await tta(["tokens"])
    expect(tokens.stdout).toContain("| run | direct | tool search | code mode | saved % |")
    expect(tokens.stdout).toContain("o200k_base")
  })

  it("skills ls/show/rm", async () => {
    const skillFile = join(session.dir, "skill.ts")
    writeFileSync(skillFile, "export const double = (n: number) => n * 2\n")
    // Save through a one-off gateway-less path: the skill store is plain files under --dir.
    const { Effect } = await import("effect")
    const { SkillStore } = await import("@tta/skills")
    await Effect.runPromise(
      SkillStore.SkillStore.use((s) =>
        s.save({ name: "double", description: "Doubles a number", code: readFileSync(skillFile, "utf8") })
      ).pipe(Effect.provide(SkillStore.SkillStore.layerNode({ root: dir })))
    )
    expect((await tta(["skills", "ls"])).stdout).toMatch(/double\s+v1\/1/)
    expect((await tta(["skills", "show", "double"])).stdout).toContain("n * 2")
    expect((await tta(["skills", "rm", "double"])).stdout).toContain("removed double")
    const gone = await tta(["skills", "show", "double"])
    expect(gone.code).toBe(2)
  })

  it("serve over stdio works with @modelcontextprotocol/inspector-cli", async () => {
    const inspector = join(pkgDir("@modelcontextprotocol/inspector-cli"), "build", "index.js")
    // inspector-cli takes the server command before `--` and its arguments after. Its 1.0.3 build checks
    // for "../package.json" relative to the working directory (but imports it relative to itself), so it
    // only starts from a directory whose parent has a package.json: run it from this test folder.
    const cwd = import.meta.dirname
    const target = [node, "--", ...ttaArgs, "-c", config, "--dir", dir, "serve"]
    const list = await run(node, [inspector, "--method", "tools/list", ...target], { cwd, timeout: 60_000 })
    const tools = (JSON.parse(list.stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name)
    expect(tools.sort()).toEqual(["execute", "list_skills", "read_api", "save_skill", "search_tools"])
    const call = await run(
      node,
      [
        inspector,
        "--tool-arg",
        "code=export default 6 * 7",
        "--method",
        "tools/call",
        "--tool-name",
        "execute",
        ...target
      ],
      { cwd, timeout: 60_000 }
    )
    const result = JSON.parse(call.stdout) as {
      content: Array<{ text: string }>
      structuredContent: { value: number }
    }
    expect(result.structuredContent.value).toBe(42)
    expect(result.content[0]!.text).toContain("value: 42")
  })

  it("serve --http --max-sessions caps the open sessions", async () => {
    const server = spawn(
      node,
      [
        ...ttaArgs,
        "-c",
        config,
        "--dir",
        dir,
        "serve",
        "--http",
        "0",
        "--max-sessions",
        "1",
        "--idle-timeout",
        "600"
      ],
      { cwd: session.dir, stdio: ["ignore", "ignore", "pipe"] }
    )
    try {
      let err = ""
      server.stderr!.on("data", (chunk: Buffer) => (err += chunk))
      const url = await waitFor("the listening line", () => /listening on (\S+)/.exec(err)?.[1])
      const first = new Client({ name: "first", version: "1" })
      await first.connect(new StreamableHTTPClientTransport(new URL(url)))
      const second = new Client({ name: "second", version: "1" })
      await expect(second.connect(new StreamableHTTPClientTransport(new URL(url)))).rejects.toThrow(
        /cap of 1 open sessions/
      )
      await first.close()
    } finally {
      server.kill("SIGTERM")
    }
  })

  describe("serve --http against the official conformance scenarios", () => {
    let server: ReturnType<typeof spawn>
    let url = ""
    beforeAll(async () => {
      server = spawn(node, [...ttaArgs, "-c", config, "--dir", dir, "serve", "--http", "0"], {
        cwd: session.dir,
        stdio: ["ignore", "ignore", "pipe"]
      })
      url = await new Promise<string>((resolve, reject) => {
        let err = ""
        server.stderr!.on("data", (chunk: Buffer) => {
          err += chunk.toString()
          const m = /listening on (\S+)/.exec(err)
          if (m) resolve(m[1]!)
        })
        server.on("exit", (code) => reject(new Error(`tta serve exited ${code}: ${err}`)))
      })
    })
    afterAll(() => {
      server?.kill("SIGTERM")
    })

    it("exec --connect runs the code on this gateway, reusing its servers", async () => {
      const file = join(session.dir, "connected.ts")
      writeFileSync(
        file,
        `import { readTextFile } from "./servers/filesystem/index.ts"
const r = await readTextFile({ path: ${JSON.stringify(join(session.files, "hello.txt"))} })
console.info("read", r.content.length, "chars")
export default r.content.toUpperCase()`
      )
      const connected = await tta(["exec", "--connect", url, file])
      expect(connected.code).toBe(0)
      expect(connected.stdout).toContain('value: "HELLO FROM A REAL FILE"')
      expect(connected.stdout).toContain("[info] read 22 chars")
      expect(connected.stdout).toContain("1 tool call (filesystem.read_text_file)")
      expect(connected.stderr).not.toContain("config ")
      const failing = join(session.dir, "throws.ts")
      writeFileSync(failing, `throw new Error("boom")`)
      const failed = await tta(["exec", "--connect", url, failing])
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/^tta: .*boom/m)
      const nobody = await tta(["exec", "--connect", "http://127.0.0.1:1/mcp", file])
      expect(nobody.code).toBe(3)
      expect(nobody.stderr).toMatch(/^tta: cannot run on the gateway at http:\/\/127\.0\.0\.1:1\/mcp: /m)
    })

    // Scenarios that apply to a tools-only server (the others need the conformance suite's own test tools,
    // resources, prompts or the logging capability, which this gateway does not offer).
    for (const scenario of [
      "server-initialize",
      "ping",
      "tools-list",
      "dns-rebinding-protection",
      "server-sse-multiple-streams"
    ]) {
      it(scenario, async () => {
        const conformance = join(pkgDir("@modelcontextprotocol/conformance"), "dist", "index.js")
        const r = await run(node, [conformance, "server", "--url", url, "--scenario", scenario], {
          timeout: 60_000
        }).catch((e) => e as { code: number; stdout: string; stderr: string })
        const output = `${r.stdout}${r.stderr}`
        expect(output).toMatch(/Passed: (\d+)\/\1, 0 failed/)
      })
    }
  })
})
