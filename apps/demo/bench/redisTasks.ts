/**
 * The token benchmark's tasks on server-redis over a throwaway redis-server (Debian's package)
 * holding 5,000 generated keys, each answer also computed with redis-cli (the source of truth).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PgTestCluster } from "@tta/durable/testing"
import type { Call, TaskEnv } from "./tasks.ts"
import type { CheckedTask, ThirdPartyEnv } from "./thirdParty.ts"

export const isAvailable = (): boolean => spawnSync("redis-server", ["--version"]).status === 0

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** Stops the server and deletes its directory. Safe to call twice. */
  readonly stop: () => void
}

const cli = (port: number, args: ReadonlyArray<string>, input?: string) =>
  execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input })
  })

/** A redis-server on a free loopback port, nothing persisted; resolves once it answers PING. */
export const start = async (): Promise<RedisServer> => {
  const dir = mkdtempSync(join(tmpdir(), "tta-redis-"))
  const port = await PgTestCluster.freePort()
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" }
  )
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before answering`)))
  )
  exited.catch(() => {})
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM")
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    // ready when it answers; bounded so a broken install fails instead of hanging
    for (let i = 0; ; i++) {
      if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG")
        break
      if (i > 200) throw new Error(`redis-server on port ${port} did not answer PING`)
      await Promise.race([new Promise((r) => setTimeout(r, 50)), exited])
    }
  } catch (e) {
    stop()
    throw e
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop }
}

const regions = ["emea", "amer", "apac", "latam", "anz"]

/** 4,000 session keys across regions, 200 feature flags and 800 carts: 5,000 keys. */
export const seed = (port: number): void => {
  const lines: Array<string> = []
  for (let i = 0; i < 4000; i++)
    lines.push(
      `SET session:${regions[(i * 7 + Math.floor(i / 13)) % regions.length]}:${100000 + i * 37} u${i}`
    )
  for (let i = 0; i < 200; i++) lines.push(`SET flag:feature-${i} ${(i * 11) % 7 < 2 ? "on" : "off"}`)
  for (let i = 0; i < 800; i++) lines.push(`SET cart:${1 + i * 2} ${JSON.stringify({ items: i % 5 })}`)
  cli(port, [], `${lines.join("\n")}\n`)
}

const port = (env: TaskEnv) => Number(new URL((env as ThirdPartyEnv).redisUrl!).port)

const keysOf = (text: string): Array<string> =>
  text.startsWith("Found keys:\n") ? text.slice("Found keys:\n".length).split("\n") : []

const countBy = (xs: ReadonlyArray<string>) => {
  const out: Record<string, number> = {}
  for (const x of xs) out[x] = (out[x] ?? 0) + 1
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

const listProbe = (pattern: string) => `import { list } from "./servers/redis/index.ts"
export default String(await list({ pattern: ${JSON.stringify(pattern)} })).split("\\n").slice(0, 3).join("\\n")`

export const redisTasks: ReadonlyArray<CheckedTask> = [
  {
    name: "redis-sessions-per-region",
    kind: "large result that only needs counting",
    question: "How many sessions per region are in redis (4,000 session keys)?",
    tools: [{ tool: "redis/list", search: "list redis keys matching a pattern" }],
    direct: async (call: Call) => {
      const text = (await call("redis", "list", { pattern: "session:*" })) as string
      return countBy(keysOf(text).map((k) => k.split(":")[1]!))
    },
    // list answers text; the agent looks at its first lines before parsing it
    probe: () => listProbe("session:*"),
    code: () => `import { list } from "./servers/redis/index.ts"
const text = (await list({ pattern: "session:*" })) as string
const out: Record<string, number> = {}
for (const k of text.split("\\n").slice(1)) { const region = k.split(":")[1]!; out[region] = (out[region] ?? 0) + 1 }
export default Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))`,
    truth: (env) =>
      countBy(
        cli(port(env), ["--scan", "--pattern", "session:*"])
          .trim()
          .split("\n")
          .map((k) => k.split(":")[1]!)
      )
  },
  {
    name: "redis-flags-on",
    kind: "a loop of many small calls",
    question: "Which of the 200 feature flags are on (one get per flag)?",
    tools: [
      { tool: "redis/list", search: "list redis keys matching a pattern" },
      { tool: "redis/get", search: "get a redis value by key" }
    ],
    direct: async (call: Call) => {
      const keys = keysOf((await call("redis", "list", { pattern: "flag:*" })) as string)
      const on: Array<string> = []
      for (const key of keys) if ((await call("redis", "get", { key })) === "on") on.push(key.slice(5))
      return on.sort()
    },
    probe: () => listProbe("flag:*"),
    code: () => `import { get, list } from "./servers/redis/index.ts"
const keys = ((await list({ pattern: "flag:*" })) as string).split("\\n").slice(1)
const values = await Promise.all(keys.map(async (key) => [key.slice(5), await get({ key })] as const))
export default values.filter(([, v]) => v === "on").map(([k]) => k).sort()`,
    truth: (env) => {
      const keys = cli(port(env), ["--scan", "--pattern", "flag:*"]).trim().split("\n")
      const values = cli(port(env), ["mget", ...keys])
        .trim()
        .split("\n")
      return keys
        .filter((_, i) => values[i] === "on")
        .map((k) => k.slice(5))
        .sort()
    }
  }
]
