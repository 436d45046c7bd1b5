/**
 * The store's directory layout and the small reads and writes every path shares (reader, writer,
 * run statistics): file identities, version listings, stats.json, SKILL.md (memoised by file
 * identity), atomic writes and the per-skill lock.
 *
 * ```
 * <root>/skills/<name>/SKILL.md          Agent Skills front matter + usage notes + signature
 * <root>/skills/<name>/index.ts          the chosen version (what sandboxed code imports)
 * <root>/skills/<name>/versions/<n>.ts   every version ever saved, never rewritten
 * <root>/skills/<name>/stats.json        per-version runs, failures, durations, last error
 * ```
 */
import { createHash } from "node:crypto"
import { Clock, Effect, FileSystem, Option, Path, type PlatformError, Semaphore } from "effect"
import * as AtomicFile from "./AtomicFile.ts"
import * as Code from "./Code.ts"
import { type Problem, SkillInvalid, SkillNotFound, SkillStoreError } from "./Errors.ts"
import { withLock } from "./FileLock.ts"
import type { Options } from "./Model.ts"
import * as SkillMd from "./SkillMd.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"

/** What this process remembers about one skill between calls (always re-validated by file identity). */
export interface Memo {
  mdKey?: string | undefined
  doc?: SkillMd.SkillDoc
  /** The SKILL.md text `doc` was parsed from (what a view mounts). */
  mdText?: string
  indexKey?: string | undefined
  indexVersion?: number | undefined
  /** Hash of a hand edit of index.ts that does not parse (reported once, not adopted). */
  rejected?: string
  /** Leftovers of dead writers were removed (once per skill per process is enough). */
  cleaned?: boolean
  searchKey?: string | undefined
  signatures: Map<string, ReadonlyArray<string>>
}

/** A skill's versions, statistics and chosen version, as last reconciled with the disk. */
export interface State {
  readonly versions: ReadonlyArray<number>
  readonly stats: Stats.StatsFile
  readonly chosen: number
  /** Corrupt or missing files; when there are any, nothing of the skill is rewritten. */
  readonly problems: ReadonlyArray<Problem>
  /** index.ts as this reconcile read it, when it holds the chosen version (saves a read). */
  readonly indexCode?: string
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
export const emptyDoc: SkillMd.SkillDoc = { description: "", tags: [], usage: "", frontMatter: undefined }
const versionFile = /^([1-9][0-9]*)\.ts$/

export const fail = <E>(e: E | undefined): Effect.Effect<void, E> =>
  e === undefined ? Effect.void : Effect.fail(e)

export const notFound = (name: string) => new SkillNotFound({ name, message: `skill "${name}" not found` })

const definedOnly = (o: Partial<Validate.Limits>): Partial<Validate.Limits> =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in Validate.defaultLimits))

export type Disk = Effect.Success<ReturnType<typeof make>>

/** Opens (creates) `<root>/skills` and removes leftovers of a remove() killed half-way. */
export const make = Effect.fnUntraced(function* (options: Options) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const limits: Validate.Limits = { ...Validate.defaultLimits, ...definedOnly(options) }
  const minRuns = options.minRuns ?? 3
  const durable = options.durable ?? true
  const lockOptions = {
    timeoutMs: options.lockTimeoutMs ?? 10_000,
    staleAfterMs: options.staleLockMs ?? 60_000
  }
  const skillsDir = path.join(path.resolve(options.root), "skills")

  const io =
    (operation: string, at: string) =>
    <A, R>(self: Effect.Effect<A, PlatformError.PlatformError, R>): Effect.Effect<A, SkillStoreError, R> =>
      Effect.mapError(self, (e) => new SkillStoreError({ operation, path: at, message: e.message }))

  yield* io("open", skillsDir)(fs.makeDirectory(skillsDir, { recursive: true }))
  // Leftovers of a remove() killed between its rename and its delete.
  for (const entry of yield* io("open", skillsDir)(fs.readDirectory(skillsDir))) {
    if (entry.startsWith(".trash-")) {
      yield* fs.remove(path.join(skillsDir, entry), { recursive: true, force: true }).pipe(Effect.ignore)
    }
  }

  const dirOf = (name: string) => path.join(skillsDir, name)
  const fileOf = (name: string, file: string) => path.join(skillsDir, name, file)
  const versionPath = (name: string, v: number) => path.join(skillsDir, name, "versions", `${v}.ts`)

  const memos = new Map<string, Memo>()
  const memoOf = (name: string): Memo => {
    const found = memos.get(name)
    if (found) return found
    const m: Memo = { signatures: new Map() }
    memos.set(name, m)
    return m
  }
  const semaphores = new Map<string, Semaphore.Semaphore>()
  const semaphoreOf = (name: string) => {
    const found = semaphores.get(name)
    if (found) return found
    const s = Semaphore.makeUnsafe(1)
    semaphores.set(name, s)
    return s
  }

  const base = {
    fs,
    path,
    limits,
    minRuns,
    durable,
    lockOptions,
    skillsDir,
    io,
    dirOf,
    fileOf,
    versionPath,
    memos,
    memoOf,
    semaphoreOf
  }
  return { ...base, ...operations(base) }
})

type Base = {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly durable: boolean
  readonly lockOptions: { readonly timeoutMs: number; readonly staleAfterMs: number }
  readonly skillsDir: string
  readonly io: (
    operation: string,
    at: string
  ) => <A, R>(self: Effect.Effect<A, PlatformError.PlatformError, R>) => Effect.Effect<A, SkillStoreError, R>
  readonly dirOf: (name: string) => string
  readonly fileOf: (name: string, file: string) => string
  readonly versionPath: (name: string, v: number) => string
  readonly memoOf: (name: string) => Memo
  readonly semaphoreOf: (name: string) => Semaphore.Semaphore
}

/** The reads and writes every path shares, over the layout. */
const operations = (base: Base) => {
  const { fs, path, durable, lockOptions, skillsDir, io, dirOf, fileOf, versionPath, memoOf, semaphoreOf } =
    base

  const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

  /** mtime:size:inode, or undefined when the file does not exist. */
  const fileKey = (file: string) =>
    io(
      "stat",
      file
    )(
      fs.stat(file).pipe(
        Effect.map((info) =>
          [
            Option.getOrUndefined(Option.map(info.mtime, (d) => d.getTime())),
            String(info.size),
            Option.getOrUndefined(Option.map(info.ino, String))
          ].join(":")
        ),
        Effect.catchIf(AtomicFile.isReason("NotFound"), () => Effect.succeed(undefined))
      )
    )

  /** Identities of everything a view derives from: SKILL.md, index.ts, stats.json, versions/. */
  const keysOf = (name: string) =>
    Effect.map(
      Effect.all(
        [
          fileKey(fileOf(name, "SKILL.md")),
          fileKey(fileOf(name, "index.ts")),
          fileKey(fileOf(name, "stats.json")),
          fileKey(path.join(dirOf(name), "versions"))
        ],
        { concurrency: "unbounded" }
      ),
      (keys) => keys.join("|")
    )

  const readText = (file: string) => io("read", file)(AtomicFile.readOptional(fs, file))

  const listVersions = (name: string) =>
    fs.readDirectory(path.join(dirOf(name), "versions")).pipe(
      Effect.map((entries) =>
        entries
          .map((e) => versionFile.exec(e)?.[1])
          .filter((v): v is string => v !== undefined)
          .map(Number)
          .sort((a, b) => a - b)
      ),
      Effect.catchIf(
        (e) => e.reason._tag === "NotFound" || e.reason._tag === "BadResource",
        () => Effect.succeed([] as Array<number>)
      ),
      io("list versions", dirOf(name))
    )

  const readStats = (name: string) => Effect.map(readText(fileOf(name, "stats.json")), Stats.parse)

  /** SKILL.md parsed (memoised by file identity), or undefined when there is none. */
  const readDoc = Effect.fnUntraced(function* (name: string) {
    const file = fileOf(name, "SKILL.md")
    const memo = memoOf(name)
    const key = yield* fileKey(file)
    if (key === undefined) return undefined
    if (memo.mdKey === key && memo.doc) return memo.doc
    const text = yield* readText(file)
    if (text === undefined) return undefined
    const doc = SkillMd.parse(name, text)
    memo.mdKey = key
    memo.doc = doc
    memo.mdText = text
    return doc
  })

  const readVersion = (name: string, v: number) => readText(versionPath(name, v))

  const signaturesOf = (name: string, code: string): ReadonlyArray<string> => {
    const memo = memoOf(name)
    const sha = sha256(code)
    const cached = memo.signatures.get(sha)
    if (cached) return cached
    const checked = Code.check(code, `skills/${name}/index.ts`)
    const sigs = checked instanceof SkillInvalid ? [] : checked.signatures
    if (memo.signatures.size > 16) memo.signatures.clear()
    memo.signatures.set(sha, sigs)
    return sigs
  }

  const write = (file: string, content: string, dir: string) =>
    io("write", file)(AtomicFile.write(fs, dir, file, content, durable))

  /** Runs `self` holding the skill's lock (fibers: semaphore; processes: lock file). */
  const locked = <A, E, R>(name: string, create: boolean, self: Effect.Effect<A, E, R>) => {
    const dir = dirOf(name)
    const once = Effect.gen(function* () {
      if (create) yield* io("create", dir)(fs.makeDirectory(path.join(dir, "versions"), { recursive: true }))
      return yield* withLock(fs, dir, lockOptions)(self)
    })
    // A remove() in another process can delete the directory while we wait: recreate, retry.
    const attempt = (left: number): Effect.Effect<A, E | SkillStoreError | SkillNotFound, R> =>
      once.pipe(
        Effect.catchIf(
          (e): e is PlatformError.PlatformError =>
            typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "PlatformError",
          (e) =>
            e.reason._tag === "NotFound"
              ? create && left > 0
                ? attempt(left - 1)
                : Effect.fail(notFound(name))
              : Effect.fail(new SkillStoreError({ operation: "lock", path: dir, message: e.message }))
        )
      )
    return semaphoreOf(name).withPermit(attempt(3))
  }

  const skillNames = io(
    "list",
    skillsDir
  )(fs.readDirectory(skillsDir)).pipe(
    Effect.map((entries) => entries.filter((e) => Validate.name(e) === undefined).sort())
  )

  return {
    now,
    fileKey,
    keysOf,
    readText,
    listVersions,
    readStats,
    readDoc,
    readVersion,
    signaturesOf,
    write,
    locked,
    skillNames
  }
}
