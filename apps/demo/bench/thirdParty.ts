/**
 * The token benchmark's tasks on third-party servers the project does not write: server-postgres
 * on a throwaway PostgreSQL cluster (Debian's package) seeded with 22,000 generated rows, with
 * git-mcp-server (tasks in gitTasks.ts), server-filesystem and server-memory beside it. Every
 * task's answer is also computed from the source of truth (SQL through psql, the file on disk),
 * not through MCP, and must match.
 */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Stack } from "@tta/code-mode"
import { Servers } from "@tta/demo"
import { PgTestCluster } from "@tta/durable/testing"
import { McpConfig } from "@tta/mcp"
import { Effect, Layer } from "effect"
import { headProbe, SERVICES_TEAM_PREFIX, type Task, type TaskEnv } from "./tasks.ts"

/** The packages this suite runs live (their captured catalogs are not counted twice). */
export const thirdPartyPackages = [
  "@modelcontextprotocol/server-postgres",
  "@modelcontextprotocol/server-filesystem",
  "@modelcontextprotocol/server-memory",
  "@cyanheads/git-mcp-server",
  "@modelcontextprotocol/server-redis"
]

/**
 * Code mode and the hub over server-postgres (on `pgUrl`), git-mcp-server (confined to the run's
 * root, commits unsigned), server-redis (on `redisUrl`, if given), server-filesystem and server-memory.
 */
export const thirdPartyStack = (dirs: Servers.RunDirs, pgUrl: string, redisUrl?: string) =>
  Layer.unwrap(
    Effect.map(
      McpConfig.decode({
        mcpServers: {
          postgres: {
            command: process.execPath,
            args: [Servers.npmServer("@modelcontextprotocol/server-postgres"), pgUrl]
          },
          git: {
            command: process.execPath,
            args: [fileURLToPath(import.meta.resolve("@cyanheads/git-mcp-server"))],
            env: {
              MCP_TRANSPORT_TYPE: "stdio",
              MCP_LOG_LEVEL: "error",
              GIT_BASE_DIR: dirs.root,
              GIT_SIGN_COMMITS: "false"
            }
          },
          ...(redisUrl === undefined
            ? {}
            : {
                redis: {
                  command: process.execPath,
                  args: [Servers.npmServer("@modelcontextprotocol/server-redis"), redisUrl]
                }
              }),
          ...Servers.mcpServers(dirs, ["filesystem", "memory"])
        }
      }),
      (config) => Stack.layer(config, { dir: dirs.session })
    )
  )

/** Runs SQL through psql (not MCP) and returns `json_agg` of its rows: the source of truth. */
export const psqlJson = (url: string, sql: string): Array<Record<string, unknown>> => {
  const bin = PgTestCluster.binDir()
  if (bin === undefined) throw new Error("PostgreSQL is not installed (apt-get install -y postgresql)")
  const r = spawnSync(
    join(bin, "psql"),
    [url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", `SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t`],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
  )
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`)
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>
}

const psqlExec = (url: string, sql: string): void => {
  const r = spawnSync(join(PgTestCluster.binDir()!, "psql"), [url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], {
    input: sql,
    encoding: "utf8"
  })
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`)
}

/**
 * 2,000 customers and 20,000 orders, generated from the row number and its md5 (the same data on
 * every run), and refunds.csv on the filesystem: 400 refund requests naming orders.
 */
export const seedShop = (url: string, files: string): void => {
  psqlExec(
    url,
    `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL, region text NOT NULL, tier text NOT NULL);
INSERT INTO customers
  SELECT i, 'Customer ' || i, 'c' || i || '@example.' || (ARRAY['com','org','net'])[1 + i % 3],
         (ARRAY['emea','amer','apac','latam','anz'])[1 + (i * 7) % 5],
         (ARRAY['free','pro','team','enterprise'])[1 + (i * 13) % 4]
  FROM generate_series(1, 2000) i;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, created_at timestamptz NOT NULL,
                     amount_cents int NOT NULL, status text NOT NULL, sku text NOT NULL);
INSERT INTO orders
  SELECT i, 1 + h % 2000, timestamptz '2026-01-01 00:00Z' + (i * 1571 % 525600) * interval '1 minute',
         500 + (i * 104729) % 49500,
         CASE WHEN (h / 2000) % 20 = 3 THEN 'refunded' WHEN (h / 2000) % 10 = 7 THEN 'failed' ELSE 'paid' END,
         'SKU-' || lpad(((i * 31) % 250)::text, 3, '0')
  FROM (SELECT i, abs(('x' || substr(md5('order' || i), 1, 8))::bit(32)::int) AS h FROM generate_series(1, 20000) i) g;
ANALYZE;`
  )
  const reasons = ["damaged", "late", "wrong item", "not as described", "changed mind"]
  const lines = ["order_id,reason"]
  for (let k = 0; k < 400; k++) lines.push(`${1 + ((k * 4999) % 20000)},${reasons[(k * 3) % reasons.length]}`)
  writeFileSync(join(files, "refunds.csv"), `${lines.join("\n")}\n`)
}

export interface ThirdPartyEnv extends TaskEnv {
  readonly pgUrl: string
  /** The generated git repository (gitTasks.ts). */
  readonly repo: string
  /** The throwaway redis-server (redisTasks.ts), when redis-server is installed. */
  readonly redisUrl?: string | undefined
}

/** A task on the shop database, with its answer computed from the source of truth. */
export interface CheckedTask extends Task {
  readonly truth: (env: ThirdPartyEnv) => unknown
}

const revenueSql = `SELECT c.region, count(*)::int AS orders, sum(o.amount_cents)::int AS revenue_cents
FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' GROUP BY c.region ORDER BY c.region`

const refunds = (files: string) =>
  readFileSync(join(files, "refunds.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","))
    .map(([id, reason]) => ({ id: Number(id), reason: reason! }))

const sumByReason = (requests: ReadonlyArray<{ id: number; reason: string }>, paid: Map<number, number>) => {
  const out: Record<string, number> = {}
  for (const r of requests) if (paid.has(r.id)) out[r.reason] = (out[r.reason] ?? 0) + paid.get(r.id)!
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

const exportSql = `SELECT o.id, o.customer_id, o.created_at, o.amount_cents, o.sku FROM orders o
JOIN customers c ON c.id = o.customer_id WHERE c.region = 'emea' AND o.status = 'refunded' ORDER BY o.id`

const topSql = `SELECT c.id, c.name, c.tier, sum(o.amount_cents)::int AS spent_cents FROM orders o
JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' GROUP BY c.id ORDER BY spent_cents DESC, c.id LIMIT 5`

const entityName = (name: string) => `${SERVICES_TEAM_PREFIX}${name}`

export const thirdPartyTasks: ReadonlyArray<CheckedTask> = [
  {
    name: "pg-revenue-by-region",
    kind: "aggregate the database does (small answer)",
    question: "Paid orders and revenue per customer region (20,000 orders)?",
    tools: [{ tool: "postgres/query", search: "run a SQL query" }],
    direct: async (call) => call("postgres", "query", { sql: revenueSql }),
    code: () => `import { query } from "./servers/postgres/index.ts"
export default await query({ sql: ${JSON.stringify(revenueSql)} })`,
    truth: (env) => {
      // independently: every paid order with its region, summed here
      const rows = psqlJson(
        env.pgUrl,
        "SELECT c.region, o.amount_cents FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid'"
      ) as Array<{ region: string; amount_cents: number }>
      const by = new Map<string, { region: string; orders: number; revenue_cents: number }>()
      for (const r of rows) {
        const g = by.get(r.region) ?? { region: r.region, orders: 0, revenue_cents: 0 }
        g.orders++
        g.revenue_cents += r.amount_cents
        by.set(r.region, g)
      }
      return [...by.values()].sort((a, b) => a.region.localeCompare(b.region))
    }
  },
  {
    name: "pg-refunds-join",
    kind: "joining a file with a database",
    question: "For the 400 refund requests in refunds.csv, how many cents per reason were paid orders?",
    tools: [
      { tool: "filesystem/read_text_file", search: "read text file contents" },
      { tool: "postgres/query", search: "run a SQL query" }
    ],
    direct: async (call, env) => {
      const file = await call("filesystem", "read_text_file", { path: join(env.files, "refunds.csv") })
      const requests = (file.content as string)
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","))
        .map(([id, reason]) => ({ id: Number(id), reason: reason! }))
      const rows = (await call("postgres", "query", {
        sql: `SELECT id, amount_cents FROM orders WHERE status = 'paid' AND id IN (${requests.map((r) => r.id).join(",")})`
      })) as Array<{ id: number; amount_cents: number }>
      return sumByReason(requests, new Map(rows.map((r) => [r.id, r.amount_cents])))
    },
    probe: (env) => headProbe(join(env.files, "refunds.csv")),
    code: (env) => `import { readTextFile } from "./servers/filesystem/index.ts"
import { query } from "./servers/postgres/index.ts"
const { content } = await readTextFile({ path: ${JSON.stringify(join(env.files, "refunds.csv"))} })
const requests = content.trim().split("\\n").slice(1).map((l) => l.split(",")).map(([id, reason]) => ({ id: Number(id), reason: reason! }))
const rows = (await query({ sql: \`SELECT id, amount_cents FROM orders WHERE status = 'paid' AND id IN (\${requests.map((r) => r.id).join(",")})\` })) as Array<{ id: number; amount_cents: number }>
const paid = new Map(rows.map((r) => [r.id, r.amount_cents]))
const out: Record<string, number> = {}
for (const r of requests) if (paid.has(r.id)) out[r.reason] = (out[r.reason] ?? 0) + paid.get(r.id)!
export default Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))`,
    truth: (env) => {
      const requests = refunds(env.files)
      const rows = psqlJson(
        env.pgUrl,
        `SELECT id, amount_cents FROM orders WHERE status = 'paid' AND id = ANY('{${requests.map((r) => r.id).join(",")}}'::int[])`
      ) as Array<{ id: number; amount_cents: number }>
      return sumByReason(requests, new Map(rows.map((r) => [r.id, r.amount_cents])))
    }
  },
  {
    name: "pg-export-csv",
    kind: "moving a large result to another server",
    question: "Write every refunded order of region emea to reports/emea-refunds.csv; how many rows?",
    tools: [
      { tool: "postgres/query", search: "run a SQL query" },
      { tool: "filesystem/write_file", search: "write a file" }
    ],
    direct: async (call, env) => {
      const rows = (await call("postgres", "query", { sql: exportSql })) as Array<Record<string, unknown>>
      const csv = [
        "id,customer_id,created_at,amount_cents,sku",
        ...rows.map((r) => Object.values(r).join(","))
      ]
      await call("filesystem", "write_file", {
        path: join(env.files, "reports", "emea-refunds.csv"),
        content: `${csv.join("\n")}\n`
      })
      return rows.length
    },
    code: (env) => `import { query } from "./servers/postgres/index.ts"
import { writeFile } from "./servers/filesystem/index.ts"
const rows = (await query({ sql: ${JSON.stringify(exportSql)} })) as Array<Record<string, unknown>>
const csv = ["id,customer_id,created_at,amount_cents,sku", ...rows.map((r) => Object.values(r).join(","))]
await writeFile({ path: ${JSON.stringify(join(env.files, "reports", "emea-refunds.csv"))}, content: csv.join("\\n") + "\\n" })
export default rows.length`,
    truth: (env) => {
      // the count from SQL, and the file on disk must hold exactly those order ids
      const ids = psqlJson(env.pgUrl, exportSql).map((r) => r.id)
      const written = readFileSync(join(env.files, "reports", "emea-refunds.csv"), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => Number(l.split(",")[0]))
      if (written.join() !== ids.join()) throw new Error("emea-refunds.csv does not hold the refunded orders")
      return ids.length
    }
  },
  {
    name: "pg-top-customers-to-graph",
    kind: "moving data between two servers",
    question:
      "Record the 5 customers with the most paid revenue in the knowledge graph; which were recorded?",
    tools: [
      { tool: "postgres/query", search: "run a SQL query" },
      { tool: "memory/create_entities", search: "create entities knowledge graph" }
    ],
    direct: async (call) => {
      const top = (await call("postgres", "query", { sql: topSql })) as Array<{
        name: string
        tier: string
        spent_cents: number
      }>
      const created = await call("memory", "create_entities", {
        entities: top.map((c) => ({
          name: entityName(c.name),
          entityType: "customer",
          observations: [`tier: ${c.tier}`, `paid cents: ${c.spent_cents}`]
        }))
      })
      return created.entities.map((e: { name: string }) => e.name)
    },
    code: () => `import { query } from "./servers/postgres/index.ts"
import { createEntities } from "./servers/memory/index.ts"
const top = (await query({ sql: ${JSON.stringify(topSql)} })) as Array<{ name: string; tier: string; spent_cents: number }>
const created = await createEntities({ entities: top.map((c) => ({
  name: ${JSON.stringify(SERVICES_TEAM_PREFIX)} + c.name, entityType: "customer", observations: [\`tier: \${c.tier}\`, \`paid cents: \${c.spent_cents}\`]
})) })
export default created.entities.map((e) => e.name)`,
    truth: (env) => psqlJson(env.pgUrl, topSql).map((r) => entityName(r.name as string))
  },
  {
    name: "fs-access-log-5xx",
    kind: "large file that only needs counting",
    question: "How many 5xx responses per service are in access.log (12,000 lines)?",
    tools: [{ tool: "filesystem/read_text_file", search: "read text file contents" }],
    direct: async (call, env) => {
      const r = await call("filesystem", "read_text_file", { path: join(env.files, "access.log") })
      const counts: Record<string, number> = {}
      for (const m of (r.content as string).matchAll(/service=(\S+) .* status=5\d\d/g))
        counts[m[1]!] = (counts[m[1]!] ?? 0) + 1
      return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
    },
    probe: (env) => headProbe(join(env.files, "access.log")),
    code: (env) => `import { readTextFile } from "./servers/filesystem/index.ts"
const { content } = await readTextFile({ path: ${JSON.stringify(join(env.files, "access.log"))} })
const counts: Record<string, number> = {}
for (const m of content.matchAll(/service=(\\S+) .* status=5\\d\\d/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1
export default Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))`,
    truth: (env) => {
      // independently: split each line into key=value fields
      const counts: Record<string, number> = {}
      for (const line of readFileSync(join(env.files, "access.log"), "utf8").trim().split("\n")) {
        const f = Object.fromEntries(line.split(" ").map((kv) => kv.split("=")))
        if (String(f.status).startsWith("5")) counts[f.service] = (counts[f.service] ?? 0) + 1
      }
      return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
    }
  }
]
