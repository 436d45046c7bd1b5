// Captures the real tools/list of widely used MCP servers into fixtures/catalogs/<name>.json,
// so the token benchmark's "direct" figures carry the definitions an agent would really carry.
// Run by hand (it installs packages into a scratch dir); tests only read the fixtures.
//   node apps/demo/scripts/capture-catalogs.ts [--only github,notion] [--scratch /tmp/capture]
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import * as z from "zod"

const run = promisify(execFile)
const RawToolsPage = z.looseObject({ tools: z.array(z.unknown()), nextCursor: z.string().optional() })
const sdkVersion = (
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, "..", "node_modules", "@modelcontextprotocol", "sdk", "package.json"),
      "utf8"
    )
  ) as { version: string }
).version

interface Candidate {
  readonly name: string
  readonly pkg: string
  readonly version: string
  readonly args?: ReadonlyArray<string>
  readonly env?: Record<string, string>
  // bin entry to start when the package declares several
  readonly bin?: string
  // install without lifecycle scripts (a native optional dependency that would fetch a prebuild)
  readonly ignoreScripts?: boolean
}

const argv = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const scratch = flag("--scratch") ?? "/tmp/capture"
const only = flag("--only")?.split(",")
const fixtures = join(import.meta.dirname, "..", "fixtures", "catalogs")
const home = join(scratch, "home")
const fsRoot = join(scratch, "fs-root")

// Versions pinned so a re-capture is reproducible; dummy credentials only where a server refuses
// to start without one (listing tools never uses them).
const candidates: ReadonlyArray<Candidate> = [
  {
    name: "everything",
    pkg: "@modelcontextprotocol/server-everything",
    version: "2026.8.31",
    args: ["stdio"]
  },
  {
    name: "filesystem",
    pkg: "@modelcontextprotocol/server-filesystem",
    version: "2026.8.31",
    args: [fsRoot]
  },
  {
    name: "memory",
    pkg: "@modelcontextprotocol/server-memory",
    version: "2026.8.31",
    env: { MEMORY_FILE_PATH: join(scratch, "memory.jsonl") }
  },
  {
    name: "github",
    pkg: "@modelcontextprotocol/server-github",
    version: "2025.4.8",
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: "dummy" }
  },
  {
    name: "gitlab",
    pkg: "@modelcontextprotocol/server-gitlab",
    version: "2025.4.25",
    env: { GITLAB_PERSONAL_ACCESS_TOKEN: "dummy" }
  },
  {
    name: "slack",
    pkg: "@modelcontextprotocol/server-slack",
    version: "2025.4.25",
    env: { SLACK_BOT_TOKEN: "xoxb-dummy", SLACK_TEAM_ID: "T00000000" }
  },
  {
    name: "postgres",
    pkg: "@modelcontextprotocol/server-postgres",
    version: "0.6.2",
    args: ["postgresql://localhost:1/dummy"]
  },
  {
    name: "puppeteer",
    pkg: "@modelcontextprotocol/server-puppeteer",
    version: "2025.5.12",
    env: { PUPPETEER_SKIP_DOWNLOAD: "1" }
  },
  {
    name: "brave-search",
    pkg: "@modelcontextprotocol/server-brave-search",
    version: "0.6.2",
    env: { BRAVE_API_KEY: "dummy" }
  },
  {
    name: "google-maps",
    pkg: "@modelcontextprotocol/server-google-maps",
    version: "0.6.2",
    env: { GOOGLE_MAPS_API_KEY: "dummy" }
  },
  {
    name: "redis",
    pkg: "@modelcontextprotocol/server-redis",
    version: "2025.4.25",
    args: ["redis://localhost:1"]
  },
  {
    name: "aws-kb-retrieval",
    pkg: "@modelcontextprotocol/server-aws-kb-retrieval",
    version: "0.6.2",
    env: { AWS_ACCESS_KEY_ID: "dummy", AWS_SECRET_ACCESS_KEY: "dummy", AWS_REGION: "us-east-1" }
  },
  {
    name: "sequential-thinking",
    pkg: "@modelcontextprotocol/server-sequential-thinking",
    version: "2026.8.31"
  },
  {
    name: "notion",
    pkg: "@notionhq/notion-mcp-server",
    version: "2.5.2",
    env: { NOTION_TOKEN: "ntn_dummy" }
  },
  {
    name: "playwright",
    pkg: "@playwright/mcp",
    version: "0.0.83",
    args: ["--headless", "--browser", "chromium", "--executable-path", "/usr/bin/chromium"]
  },
  { name: "context7", pkg: "@upstash/context7-mcp", version: "4.1.1" },
  { name: "kubernetes", pkg: "mcp-server-kubernetes", version: "4.1.7" },
  {
    name: "supabase",
    pkg: "@supabase/mcp-server-supabase",
    version: "0.13.0",
    args: ["--access-token", "sbp_dummy"]
  },
  { name: "sentry", pkg: "@sentry/mcp-server", version: "0.39.0", args: ["--access-token", "dummy"] },
  { name: "desktop-commander", pkg: "@wonderwhy-er/desktop-commander", version: "0.2.52" },
  { name: "chrome-devtools", pkg: "chrome-devtools-mcp", version: "1.11.0" },
  { name: "mongodb", pkg: "mongodb-mcp-server", version: "3.0.4" },
  { name: "firecrawl", pkg: "firecrawl-mcp", version: "3.26.0", env: { FIRECRAWL_API_KEY: "fc-dummy" } },
  { name: "tavily", pkg: "tavily-mcp", version: "0.2.22", env: { TAVILY_API_KEY: "tvly-dummy" } },
  { name: "exa", pkg: "exa-mcp-server", version: "3.4.1", env: { EXA_API_KEY: "dummy" } },
  {
    name: "circleci",
    pkg: "@circleci/mcp-server-circleci",
    version: "0.20.0",
    env: { CIRCLECI_TOKEN: "dummy" }
  },
  { name: "heroku", pkg: "@heroku/mcp-server", version: "1.2.8", env: { HEROKU_API_KEY: "dummy" } },
  {
    name: "azure-devops",
    pkg: "@azure-devops/mcp",
    version: "2.10.0",
    args: ["dummy-org"],
    ignoreScripts: true
  },
  { name: "stripe", pkg: "@stripe/mcp", version: "0.3.3", args: ["--tools=all", "--api-key=sk_test_dummy"] },
  {
    name: "playwright-executeautomation",
    pkg: "@executeautomation/playwright-mcp-server",
    version: "1.0.12"
  }
]

const withTimeout = <A>(p: Promise<A>, ms: number, what: string): Promise<A> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
    p.then(
      (a) => {
        clearTimeout(t)
        resolve(a)
      },
      (e) => {
        clearTimeout(t)
        reject(e)
      }
    )
  })

const install = async (c: Candidate): Promise<string> => {
  const prefix = join(scratch, "pkgs", c.name)
  mkdirSync(prefix, { recursive: true })
  const flags = c.ignoreScripts ? ["--ignore-scripts"] : []
  await run(
    "npm",
    ["install", "--prefix", prefix, "--no-audit", "--no-fund", ...flags, `${c.pkg}@${c.version}`],
    {
      env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: "1", PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000
    }
  )
  return join(prefix, "node_modules", c.pkg)
}

const binOf = (dir: string, c: Candidate): string => {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    bin?: string | Record<string, string>
  }
  if (typeof pkg.bin === "string") return join(dir, pkg.bin)
  const bins = Object.entries(pkg.bin ?? {})
  const chosen = (c.bin ? bins.find(([k]) => k === c.bin) : undefined) ?? bins[0]
  if (!chosen) throw new Error(`${c.pkg} declares no bin`)
  return join(dir, chosen[1])
}

const capture = async (c: Candidate): Promise<{ tools: number; version: string }> => {
  const dir = await install(c)
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binOf(dir, c), ...(c.args ?? [])],
    env: { ...getDefaultEnvironment(), HOME: home, ...c.env },
    cwd: scratch,
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000)
  })
  const client = new Client({ name: "tta-capture", version: "0.1.0" })
  try {
    await withTimeout(client.connect(transport), 60_000, "initialize")
    const tools: Array<unknown> = []
    let cursor: string | undefined
    do {
      const params = cursor === undefined ? {} : { cursor }
      const page = await withTimeout(
        client.listTools(params).catch(async (e: unknown) => {
          // Say what the server really sent when it is not a valid ListToolsResult (some
          // published servers emit inputSchemas without type "object").
          const raw = await client.request({ method: "tools/list", params }, RawToolsPage)
          const first = raw.tools[0] as { name?: string; inputSchema?: unknown } | undefined
          throw new Error(
            `tools/list result fails MCP's Tool schema (SDK ${sdkVersion}): ${String(e instanceof Error ? e.message : e).slice(0, 120)}...; ` +
              `e.g. ${first?.name}.inputSchema = ${JSON.stringify(first?.inputSchema)}`
          )
        }),
        60_000,
        "tools/list"
      )
      tools.push(...page.tools)
      cursor = page.nextCursor
    } while (cursor)
    if (tools.length === 0) throw new Error("tools/list returned no tools")
    const fixture = {
      package: c.pkg,
      version,
      capturedAt: new Date().toISOString(),
      serverInfo: client.getServerVersion() ?? null,
      command: {
        args: c.args ?? [],
        env: Object.keys(c.env ?? {})
      },
      tools
    }
    writeFileSync(join(fixtures, `${c.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`)
    return { tools: tools.length, version }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    // The most telling stderr line is usually the first one naming an error.
    const lines = stderr
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "") // ANSI colours
      .trim()
      .split("\n")
    const telling = lines.find((l) => /\b\w*Error: /.test(l)) ?? lines.at(-1)
    throw new Error(`${msg}${telling ? ` | stderr: ${telling.trim()}` : ""}`)
  } finally {
    await client.close().catch(() => undefined)
  }
}

mkdirSync(fixtures, { recursive: true })
mkdirSync(home, { recursive: true })
mkdirSync(fsRoot, { recursive: true })

const selected = candidates.filter((c) => !only || only.includes(c.name))
const results: Array<{ c: Candidate; ok: boolean; detail: string }> = []
// A few at a time: installs are network-bound, and the machine is shared.
const queue = [...selected]
const worker = async () => {
  for (let c = queue.shift(); c; c = queue.shift()) {
    try {
      const r = await capture(c)
      results.push({ c, ok: true, detail: `${r.version}: ${r.tools} tools` })
      console.log(`ok   ${c.name} (${c.pkg}@${r.version}): ${r.tools} tools`)
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 400)
      results.push({ c, ok: false, detail: msg })
      console.log(`FAIL ${c.name} (${c.pkg}@${c.version}): ${msg}`)
    }
  }
}
await Promise.all([worker(), worker(), worker()])

// Merge with the previous summary so a partial re-run (--only) keeps the other rows.
const summaryPath = join(fixtures, "CAPTURE.md")
const rows = new Map<string, string>()
try {
  for (const line of readFileSync(summaryPath, "utf8").split("\n")) {
    const m = /^\| ([a-z0-9-]+) \|/.exec(line)
    if (m?.[1] && m[1] !== "catalog" && !/^-+$/.test(m[1])) rows.set(m[1], line)
  }
} catch {
  // first capture: no summary yet
}
for (const r of results) {
  const outcome = r.ok ? r.detail : `failed: ${r.detail.replace(/\|/g, "/")}`
  rows.set(r.c.name, `| ${r.c.name} | ${r.c.pkg} | ${outcome} |`)
}
const lines = [
  "# Captured tool catalogs",
  "",
  "Written by `scripts/capture-catalogs.ts` from each package's real `tools/list` over stdio",
  "(dummy credentials where a server will not start without one; no tool is ever called).",
  "",
  "| catalog | package | result |",
  "| --- | --- | --- |",
  ...[...rows.keys()].sort().map((k) => rows.get(k)!)
]
writeFileSync(summaryPath, `${lines.join("\n")}\n`)
const ok = results.filter((r) => r.ok)
console.log(`\n${ok.length}/${results.length} captured`)
process.exit(0)
