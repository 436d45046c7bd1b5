/**
 * Helpers for runner-group tests, the bench and the demo script: runner processes
 * (test/fixtures/runner-group.ts), a psql query, and the owners of the shard locks.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import * as HashRing from "effect/HashRing"
import { PgTestCluster } from "../src/testing/index.ts"
import { type Proc, spawnProc } from "./support.ts"

export type { Proc }

const fixture = join(import.meta.dirname, "fixtures", "runner-group.ts")

/** `runner-group.ts <args>` under this Node, with the source condition. */
export const groupProc = (args: ReadonlyArray<string>, env: Record<string, string>): Proc =>
  spawnProc(process.execPath, ["--conditions=@tta/source", fixture, ...args], env)

/** A busy loop beside the runners (a CPU hog). */
export const hog = (): Proc => spawnProc(process.execPath, ["-e", "for(;;){}"], {})

export const lastLine = (output: string, tag: string): any => {
  const lines = output.split("\n").filter((l) => l.startsWith(`${tag} `))
  return lines.length === 0 ? undefined : JSON.parse(lines[lines.length - 1]!.slice(tag.length + 1))
}

/** Runs `query` with psql; rows as arrays of strings (unaligned, `|`-separated). */
export const psql = (url: string, query: string): Promise<Array<Array<string>>> =>
  new Promise((resolve, reject) => {
    const u = new URL(url)
    execFile(
      join(PgTestCluster.binDir()!, "psql"),
      ["-h", u.hostname, "-p", u.port, "-U", "postgres", "-d", "postgres", "-At", "-c", query],
      { timeout: 30_000 },
      (error, stdout) =>
        error
          ? reject(error)
          : resolve(
              stdout
                .split("\n")
                .filter(Boolean)
                .map((l) => l.split("|"))
            )
    )
  })

/** shard id -> runner address of every shard lock; undefined when the query fails (no table yet, server down). */
export const lockOwners = async (url: string): Promise<Map<string, string> | undefined> => {
  try {
    const rows = await psql(url, "SELECT shard_id, address FROM cluster_locks ORDER BY shard_id")
    return new Map(rows.map(([shard, address]) => [shard!, address!]))
  } catch (e) {
    if (process.env.DEBUG_LOCKS) console.error("lockOwners", String(e).slice(0, 300))
    return undefined
  }
}

/**
 * shard id -> runner address as effect/cluster's Sharding assigns them once every runner sees the same
 * `runners` (the same hash ring, weight 1, group "default"): where every shard ends up.
 */
export const finalOwners = (runners: ReadonlyArray<string>, shards: number): Map<string, string> => {
  const ring = HashRing.make<RunnerAddress.RunnerAddress>()
  for (const r of runners) {
    const i = r.lastIndexOf(":")
    HashRing.add(ring, RunnerAddress.make(r.slice(0, i), Number(r.slice(i + 1))), { weight: 1 })
  }
  const owners = HashRing.getShards(ring, shards) ?? []
  return new Map(owners.map((a, i) => [`default:${i + 1}`, `${a.host}:${a.port}`]))
}

/**
 * How far the group is from its final assignment: `undefined` until `count` runners are registered
 * and every shard is locked, then the number of shards not (yet) locked by the runner the shared hash
 * ring assigns them to. Until that is 0 the group is still rebalancing: a runner that has not yet seen
 * the last join holds a shard another will take (a move that is no failover), so tests that count
 * shard moves, or want work on every runner, wait for 0, not just for "every runner holds some".
 */
export const unsettled = async (url: string, count: number, shards: number): Promise<number | undefined> => {
  try {
    const runners = (await psql(url, "SELECT address FROM cluster_runners ORDER BY address")).map(
      (r) => r[0]!
    )
    const owners = await lockOwners(url)
    if (runners.length !== count || owners?.size !== shards) return undefined
    return [...finalOwners(runners, shards)].filter(([shard, a]) => owners.get(shard) !== a).length
  } catch {
    return undefined // no table yet
  }
}

/** Polls `check` every 100 ms until it returns something other than undefined/false, up to `ms`. */
export const until = async <A>(
  what: string,
  check: () => A | undefined | false | Promise<A | undefined | false>,
  ms: number,
  procs: ReadonlyArray<Proc> = []
) => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) {
      const tails = procs.map((p) => `--- pid ${p.pid}:\n${p.output().slice(-2000)}`).join("\n")
      throw new Error(`timed out waiting for ${what}\n${tails}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * Watches the shard locks every 200 ms: once `arm()` is called, records every change of a shard's
 * owner (`to` is "" when its lock is gone) between two successful reads.
 */
export const watchLocks = (url: string) => {
  let owners = new Map<string, string>()
  let moves: Array<{ shard: string; from: string; to: string; at: number }> = []
  let armed = false
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      const next = await lockOwners(url)
      if (next !== undefined) {
        if (armed) {
          for (const shard of new Set([...owners.keys(), ...next.keys()])) {
            const from = owners.get(shard) ?? ""
            const to = next.get(shard) ?? ""
            if (from !== to) moves.push({ shard, from, to, at: Date.now() })
          }
        }
        owners = next
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  })()
  return {
    owners: () => owners,
    moves: () => moves,
    arm: () => {
      armed = true
      moves = []
    },
    stop: async () => {
      stopped = true
      await loop
    }
  }
}

/** One runner's side-effect lines: `run <step> <executionId> <pid> <ms>`. */
export const runsByActivity = (lines: ReadonlyArray<string>) => {
  const by = new Map<string, Array<{ pid: string; at: number }>>()
  for (const l of lines) {
    const [tag, step, exec, pid, at] = l.split(" ")
    if (tag !== "run") continue
    const key = `${exec} ${step}`
    by.set(key, [...(by.get(key) ?? []), { pid: pid!, at: Number(at) }])
  }
  return by
}
