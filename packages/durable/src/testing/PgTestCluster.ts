/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: Debian's `postgresql` package,
 * `initdb` + `pg_ctl` in a temporary directory, listening only on 127.0.0.1 at a free port, run as a
 * non-root user (`postgres`, since tests may run as root and PostgreSQL refuses root), stopped and
 * deleted by `stop()`. Shared by @tta/durable's tests, the CLI's and the scale-out work.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface PgTestCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth on loopback: no password). */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** Stops the server (fast shutdown) and deletes its directory. Safe to call twice. */
  readonly stop: () => void
  /** Stops the server but keeps the data (for "database down" tests); `start()` brings it back. */
  readonly pause: () => void
  readonly start: () => void
}

/** The directory of `initdb`/`pg_ctl`, newest installed major first; undefined when none is installed. */
export const binDir = (): string | undefined => {
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a))
  return majors.length === 0 ? undefined : join(root, majors[0]!, "bin")
}

export const isAvailable = (): boolean => binDir() !== undefined

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })

const asRoot = typeof process.getuid === "function" && process.getuid() === 0

/** Runs a PostgreSQL binary, as user `postgres` when we are root. */
const pg = (bin: string, args: ReadonlyArray<string>): void => {
  const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]]
  const result = spawnSync(cmd, argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000
  })
  if (result.status !== 0) {
    throw new Error(`${bin} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`)
  }
}

export const start = async (): Promise<PgTestCluster> => {
  const bin = binDir()
  if (bin === undefined) {
    throw new Error("PostgreSQL is not installed: apt-get install -y postgresql (Debian's package)")
  }
  const root = mkdtempSync(join(tmpdir(), "tta-pg-"))
  const dataDir = join(root, "data")
  if (asRoot) {
    chmodSync(root, 0o755)
    execFileSync("chown", ["postgres", root])
  }
  pg(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
  const port = await freePort()
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c max_connections=50 -c shared_buffers=32MB`
  const ctl = (...args: Array<string>) => pg(join(bin, "pg_ctl"), ["-D", dataDir, ...args])
  const startServer = () => ctl("-o", options, "-l", join(root, "log"), "-w", "-t", "60", "start")
  startServer()
  let running = true
  const pause = () => {
    if (running) ctl("-m", "fast", "-w", "stop")
    running = false
  }
  let stopped = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    dataDir,
    pause,
    start: () => {
      if (!running) startServer()
      running = true
    },
    stop: () => {
      if (stopped) return
      stopped = true
      try {
        pause()
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    }
  }
}
