/**
 * The session's `workspace/` directory: real files that sandboxed code reads and writes through host
 * functions (the sandbox has no filesystem), persisted between executions of one session.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve, sep } from "node:path"
import { Effect, Schema } from "effect"

export class WorkspaceError extends Schema.TaggedError<WorkspaceError>()("WorkspaceError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `workspace/${this.path}: ${this.reason}`
  }
}

/** Limits that keep one execution from filling the disk. */
export const maxFileBytes = 10 * 1024 * 1024

/** The module mounted at `./workspace.ts`; its functions call the `workspace` host function. */
export const moduleSource = `/** Files in the session's workspace/ directory; they persist between executions. */
declare const host: { workspace(op: string, path?: string, content?: string): Promise<unknown> }

/** Reads a text file of the workspace. */
export const readFile = (path: string): Promise<string> => host.workspace("read", path) as Promise<string>
/** Writes (creates or replaces) a text file of the workspace. */
export const writeFile = (path: string, content: string): Promise<void> =>
  host.workspace("write", path, content) as Promise<void>
/** Lists the workspace's files (paths relative to workspace/). */
export const listFiles = (): Promise<string[]> => host.workspace("list") as Promise<string[]>
/** Removes a file of the workspace. */
export const removeFile = (path: string): Promise<void> => host.workspace("remove", path) as Promise<void>
`

const resolveInside = (root: string, path: unknown): Effect.Effect<string, WorkspaceError> => {
  if (typeof path !== "string" || path.length === 0 || path.length > 512) {
    return Effect.fail(
      new WorkspaceError({ path: String(path), reason: "path must be a non-empty string ≤ 512 chars" })
    )
  }
  // A NUL byte makes Node's fs throw an error that quotes the full host path.
  if ([...path].some((c) => c.charCodeAt(0) < 32)) {
    return Effect.fail(
      new WorkspaceError({ path: JSON.stringify(path), reason: "path contains a control character" })
    )
  }
  const full = resolve(root, path)
  const rel = relative(root, full)
  if (rel === "" || rel.startsWith("..") || rel.includes(`..${sep}`) || resolve(root, rel) !== full) {
    return Effect.fail(new WorkspaceError({ path, reason: "path escapes the workspace" }))
  }
  return Effect.succeed(full)
}

const io = <A>(path: string, f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) =>
      new WorkspaceError({
        path,
        reason:
          (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((e as Error).message ?? e)
      })
  })

const listAll = async (root: string, dir = root): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const out: Array<string> = []
  for (const e of entries) {
    if (e.name.startsWith(".tmp-")) continue
    const full = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await listAll(root, full)))
    else out.push(relative(root, full).split(sep).join("/"))
  }
  return out.sort()
}

/** The `workspace` host function for a session rooted at `root`. */
export const hostFunction =
  (root: string) =>
  (op: unknown, path?: unknown, content?: unknown): Effect.Effect<unknown, WorkspaceError> => {
    switch (op) {
      case "list":
        return io(".", () => listAll(root))
      case "read":
        return Effect.flatMap(resolveInside(root, path), (full) =>
          io(String(path), async () => {
            if ((await stat(full)).size > maxFileBytes) throw new Error(`larger than ${maxFileBytes} bytes`)
            return readFile(full, "utf8")
          })
        )
      case "write":
        if (typeof content !== "string") {
          return Effect.fail(new WorkspaceError({ path: String(path), reason: "content must be a string" }))
        }
        if (Buffer.byteLength(content) > maxFileBytes) {
          return Effect.fail(
            new WorkspaceError({
              path: String(path),
              reason: `content exceeds the ${maxFileBytes}-byte file limit`
            })
          )
        }
        return Effect.flatMap(resolveInside(root, path), (full) =>
          io(String(path), async () => {
            // Write to a temp file and rename, so a crash never leaves a half-written file.
            await mkdir(dirname(full), { recursive: true })
            const tmp = join(dirname(full), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`)
            await writeFile(tmp, content)
            await rename(tmp, full)
          })
        )
      case "remove":
        return Effect.flatMap(resolveInside(root, path), (full) => io(String(path), () => rm(full)))
      default:
        return Effect.fail(
          new WorkspaceError({
            path: String(path),
            reason: `unknown operation ${String(op)} (read, write, list, remove)`
          })
        )
    }
  }
