/**
 * The token benchmark's tasks on @cyanheads/git-mcp-server over a generated git repository
 * (400 commits by 6 authors across 8 modules, made with `git fast-import`), each answer also
 * computed with the git command line (the source of truth) and compared.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import type { Call, TaskEnv } from "./tasks.ts"
import type { CheckedTask, ThirdPartyEnv } from "./thirdParty.ts"

const authors = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"]
const modules = ["auth", "billing", "catalog", "checkout", "inventory", "orders", "payments", "search"]
const kinds = ["feat", "fix", "refactor", "docs", "test", "chore"]

/** The repository's directory under the run's root. */
export const repoDir = (root: string) => join(root, "repo")

const repo = (env: TaskEnv) => (env as ThirdPartyEnv).repo

/** 400 commits, each appending a line to one module's file (the same history on every run). */
export const seedRepo = (dir: string): void => {
  mkdirSync(dir, { recursive: true })
  execFileSync("git", ["init", "-q", "-b", "main", dir])
  const files = new Map<string, Array<string>>()
  const stream: Array<string> = []
  for (let k = 0; k < 400; k++) {
    const author = authors[(k * 5 + Math.floor(k / 7)) % authors.length]!
    const module = modules[(k * 3 + Math.floor(k / 11)) % modules.length]!
    const kind = kinds[(k * 7 + Math.floor(k / 5)) % kinds.length]!
    const path = `src/${module}/index.ts`
    const lines = files.get(path) ?? []
    lines.push(`export const step${k} = ${(k * 7919) % 1000} // ${kind} by ${author}`)
    files.set(path, lines)
    const content = `${lines.join("\n")}\n`
    const message = `${kind}(${module}): change ${k}\n`
    const when = Date.parse("2026-01-01T00:00:00Z") / 1000 + k * 3600
    const who = `${author} <${author.toLowerCase()}@example.com> ${when} +0000`
    stream.push(
      "commit refs/heads/main",
      `author ${who}`,
      `committer ${who}`,
      `data ${Buffer.byteLength(message)}`,
      message,
      `M 100644 inline ${path}`,
      `data ${Buffer.byteLength(content)}`,
      content
    )
  }
  execFileSync("git", ["-C", dir, "fast-import", "--quiet"], { input: `${stream.join("\n")}\n` })
  execFileSync("git", ["-C", dir, "checkout", "-q", "main"])
}

const git = (dir: string, ...args: Array<string>) =>
  execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })

const countBy = (xs: ReadonlyArray<string>) => {
  const out: Record<string, number> = {}
  for (const x of xs) out[x] = (out[x] ?? 0) + 1
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

const countCode = `const out: Record<string, number> = {}
for (const x of xs) out[x] = (out[x] ?? 0) + 1
export default Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))`

type Commit = { author: string; subject: string }

export const gitTasks: ReadonlyArray<CheckedTask> = [
  {
    name: "git-commits-per-author",
    kind: "large result that only needs counting",
    question: "How many commits has each author made (400 commits)?",
    tools: [{ tool: "git/git_log", search: "git commit history log" }],
    direct: async (call: Call, env) => {
      const dir = repo(env)
      const r = await call("git", "git_log", { path: dir, maxCount: 1000 })
      return countBy(r.commits.map((c: Commit) => c.author))
    },
    code: (env) => `import { gitLog } from "./servers/git/index.ts"
const r = await gitLog({ path: ${JSON.stringify(repo(env))}, maxCount: 1000 })
const xs = r.commits.map((c) => c.author!)
${countCode}`,
    truth: (env) => countBy(git(env.repo, "log", "--format=%an").trim().split("\n"))
  },
  {
    name: "git-fixes-in-payments",
    kind: "filtered history, a few facts needed",
    question: "Who made the fix commits that touched src/payments, and how many each?",
    tools: [{ tool: "git/git_log", search: "git commit history log" }],
    direct: async (call: Call, env) => {
      const dir = repo(env)
      const r = await call("git", "git_log", {
        path: dir,
        maxCount: 1000,
        filePath: "src/payments",
        grep: "^fix"
      })
      return countBy(r.commits.map((c: Commit) => c.author))
    },
    code: (env) => `import { gitLog } from "./servers/git/index.ts"
const r = await gitLog({ path: ${JSON.stringify(repo(env))}, maxCount: 1000, filePath: "src/payments", grep: "^fix" })
const xs = r.commits.map((c) => c.author!)
${countCode}`,
    truth: (env) =>
      countBy(git(env.repo, "log", "--grep=^fix", "--format=%an", "--", "src/payments").trim().split("\n"))
  },
  {
    name: "git-blame-by-author",
    kind: "large result that only needs counting",
    question: "How many lines of src/orders/index.ts did each author last change?",
    tools: [{ tool: "git/git_blame", search: "git blame who changed each line" }],
    direct: async (call: Call, env) => {
      const dir = repo(env)
      const r = await call("git", "git_blame", { path: dir, filePath: "src/orders/index.ts" })
      return countBy(r.lines.map((l: { author: string }) => l.author))
    },
    code: (env) => `import { gitBlame } from "./servers/git/index.ts"
const r = await gitBlame({ path: ${JSON.stringify(repo(env))}, filePath: "src/orders/index.ts" })
const xs = r.lines.map((l) => l.author)
${countCode}`,
    truth: (env) =>
      countBy(
        git(env.repo, "blame", "--line-porcelain", "src/orders/index.ts")
          .split("\n")
          .filter((l) => l.startsWith("author "))
          .map((l) => l.slice("author ".length))
      )
  }
]
