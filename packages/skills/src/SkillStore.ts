/**
 * The skill store: code skills kept as plain files a person can read and edit, versioned,
 * measured and found again.
 *
 * ```
 * <root>/skills/<name>/SKILL.md          Agent Skills front matter + usage notes + signature
 * <root>/skills/<name>/index.ts          the chosen version (what sandboxed code imports)
 * <root>/skills/<name>/versions/<n>.ts   every version ever saved, never rewritten
 * <root>/skills/<name>/stats.json        per-version runs, failures, durations, last error
 * ```
 *
 * Concurrency: a version is allocated by `link(2)`-ing a complete temp file to `versions/<n>.ts`
 * (atomic and exclusive), so numbers never collide and no version file is ever half written, even
 * between processes. Everything derived (SKILL.md, index.ts, stats.json) is rewritten with temp
 * file + rename under a per-skill lock: a semaphore between fibers, a lock file between processes
 * (see FileLock). Reads never trust a cache over the disk: they look at file identities (mtime,
 * size, inode) and re-read what changed, so edits by hand and by other processes are picked up.
 */
import { createHash, randomUUID } from "node:crypto"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import {
  Clock,
  Context,
  Effect,
  FileSystem,
  Layer,
  Option,
  Path,
  type PlatformError,
  Semaphore
} from "effect"
import * as AtomicFile from "./AtomicFile.ts"
import * as Code from "./Code.ts"
import { SkillInvalid, SkillNotFound, SkillStoreError } from "./Errors.ts"
import { pidAlive, withLock } from "./FileLock.ts"
import * as SkillMd from "./SkillMd.ts"
import * as SkillSearch from "./SkillSearch.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"

export interface SaveInput {
  /** Lowercase slug, e.g. `parse-csv` (also the directory name). */
  readonly name: string
  /** What it does and when to use it (Agent Skills `description`). */
  readonly description: string
  /** TypeScript that exports a function. */
  readonly code: string
  readonly tags?: ReadonlyArray<string> | undefined
  /** Usage notes for SKILL.md; when omitted the notes already there are kept. */
  readonly usage?: string | undefined
}

export type VersionSelector = number | "latest" | "best"

export interface Skill {
  readonly name: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly usage: string
  /** The version whose code this is. */
  readonly version: number
  readonly code: string
  /** One line per export, with types. Empty if a hand-edited version no longer parses. */
  readonly signatures: ReadonlyArray<string>
  readonly latest: number
  /** The version in index.ts ("best"). */
  readonly chosen: number
  readonly stats: Stats.VersionStats
  readonly versions: ReadonlyArray<Stats.VersionStats>
}

export interface SkillSummary {
  readonly name: string
  readonly description: string
  readonly tags: ReadonlyArray<string>
  readonly latest: number
  readonly chosen: number
  /** Over all versions. */
  readonly runs: number
  readonly failures: number
}

export interface SearchHit extends SkillSummary {
  readonly score: number
}

export interface Options extends Partial<Validate.Limits> {
  /** Directory that holds `skills/`. */
  readonly root: string
  /** Runs a version needs before its success rate counts (default 3). */
  readonly minRuns?: number
  /** fsync files before renaming them into place (default true). */
  readonly durable?: boolean
  /** Longest wait for a skill lock held by a live process (default 10 s). */
  readonly lockTimeoutMs?: number
  /** A lock file older than this is stale whoever holds it (default 60 s). */
  readonly staleLockMs?: number
  /**
   * How often search re-checks every SKILL.md on disk for edits by hand and other processes'
   * saves (default 1000 ms; 0 = on every search). This process's own saves show at once.
   */
  readonly searchRescanMs?: number
}

export class SkillStore extends Context.Service<
  SkillStore,
  {
    /** Validates and stores a new version; returns it (with the version number it got). */
    readonly save: (input: SaveInput) => Effect.Effect<Skill, SkillInvalid | SkillStoreError>
    /** A version of a skill: `"best"` (default, what index.ts holds), `"latest"` or a number. */
    readonly get: (
      name: string,
      options?: { readonly version?: VersionSelector | undefined }
    ) => Effect.Effect<Skill, SkillNotFound | SkillInvalid | SkillStoreError>
    readonly list: () => Effect.Effect<ReadonlyArray<SkillSummary>, SkillStoreError>
    /** Ranked full-text search over name, description and tags (prefix and fuzzy matching). */
    readonly search: (
      query: string,
      options?: { readonly limit?: number | undefined }
    ) => Effect.Effect<ReadonlyArray<SearchHit>, SkillStoreError>
    readonly remove: (name: string) => Effect.Effect<void, SkillNotFound | SkillInvalid | SkillStoreError>
    /** Adds one run to a version's statistics; may change the chosen version. */
    readonly recordRun: (
      name: string,
      version: number,
      run: Stats.Run
    ) => Effect.Effect<Stats.VersionStats, SkillNotFound | SkillInvalid | SkillStoreError>
    /** The tree to mount in a sandbox: `skills/<name>/index.ts` and `skills/<name>/SKILL.md`. */
    readonly files: () => Effect.Effect<Record<string, string>, SkillStoreError>
  }
>()("@tta/skills/SkillStore") {
  /** The store rooted at `options.root`, on whatever `FileSystem` and `Path` are provided. */
  static readonly layer = (
    options: Options
  ): Layer.Layer<SkillStore, SkillStoreError, FileSystem.FileSystem | Path.Path> =>
    Layer.effect(SkillStore, make(options))

  /** The store on Node's filesystem. */
  static readonly layerNode = (options: Options): Layer.Layer<SkillStore, SkillStoreError> =>
    SkillStore.layer(options).pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)))
}

interface Memo {
  mdKey?: string | undefined
  doc?: SkillMd.SkillDoc
  indexKey?: string | undefined
  indexVersion?: number | undefined
  /** Hash of a hand edit of index.ts that does not parse (reported once, not adopted). */
  rejected?: string
  /** Leftovers of dead writers were removed (once per skill per process is enough). */
  cleaned?: boolean
  searchKey?: string | undefined
  signatures: Map<string, ReadonlyArray<string>>
}

interface State {
  readonly versions: ReadonlyArray<number>
  readonly stats: Stats.StatsFile
  readonly chosen: number
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
const emptyDoc: SkillMd.SkillDoc = { description: "", tags: [], usage: "", frontMatter: undefined }
const versionFile = /^([1-9][0-9]*)\.ts$/

const fail = <E>(e: E | undefined): Effect.Effect<void, E> => (e === undefined ? Effect.void : Effect.fail(e))

const make = (options: Options) =>
  Effect.gen(function* () {
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

    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

    const fileKey = (file: string) =>
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

    const readStats = (name: string) =>
      io(
        "read stats",
        fileOf(name, "stats.json")
      )(AtomicFile.readOptional(fs, fileOf(name, "stats.json"))).pipe(Effect.map(Stats.parse))

    const readDoc = Effect.fnUntraced(function* (name: string) {
      const file = fileOf(name, "SKILL.md")
      const memo = memoOf(name)
      const key = yield* io("stat", file)(fileKey(file))
      if (key === undefined) return emptyDoc
      if (memo.mdKey === key && memo.doc) return memo.doc
      const text = yield* io("read", file)(AtomicFile.readOptional(fs, file))
      const doc = text === undefined ? emptyDoc : SkillMd.parse(name, text)
      memo.mdKey = key
      memo.doc = doc
      return doc
    })

    const readVersion = (name: string, v: number) =>
      io("read", versionPath(name, v))(AtomicFile.readOptional(fs, versionPath(name, v)))

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
        if (create)
          yield* io("create", dir)(fs.makeDirectory(path.join(dir, "versions"), { recursive: true }))
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
                  : Effect.fail(new SkillNotFound({ name, message: `skill "${name}" not found` }))
                : Effect.fail(new SkillStoreError({ operation: "lock", path: dir, message: e.message }))
          )
        )
      return semaphoreOf(name).withPermit(attempt(3))
    }

    const mini = SkillSearch.makeIndex()
    const rescanMs = options.searchRescanMs ?? 1000
    let lastScan: number | undefined
    const indexSkill = Effect.fnUntraced(function* (
      name: string,
      description: string,
      tags: ReadonlyArray<string>
    ) {
      const entry = SkillSearch.entry(name, description, tags)
      if (mini.has(name)) mini.replace(entry)
      else mini.add(entry)
      memoOf(name).searchKey = yield* io("stat", fileOf(name, "SKILL.md"))(fileKey(fileOf(name, "SKILL.md")))
    })

    /** Writes index.ts, SKILL.md and stats.json for `chosen`. Call under the lock. */
    const publish = Effect.fnUntraced(function* (
      name: string,
      stats: Stats.StatsFile,
      chosen: number,
      code: string,
      doc: {
        description: string
        tags: ReadonlyArray<string>
        usage: string
        frontMatter: string | undefined
      },
      skillMd: string | undefined
    ) {
      const dir = dirOf(name)
      const sha = sha256(code)
      const md = SkillMd.render({
        name,
        description: doc.description,
        tags: doc.tags,
        usage: doc.usage,
        version: chosen,
        signatures: signaturesOf(name, code),
        previousFrontMatter: doc.frontMatter
      })
      // stats.json last: until it names the new index, a crash here reads as "index.ts stale",
      // which the next read repairs.
      yield* write(fileOf(name, "index.ts"), code, dir)
      if (md !== skillMd) yield* write(fileOf(name, "SKILL.md"), md, dir)
      const next: Stats.StatsFile = { ...stats, index: { version: chosen, sha256: sha } }
      yield* write(fileOf(name, "stats.json"), Stats.render(next), dir)
      const memo = memoOf(name)
      memo.indexKey = yield* io("stat", fileOf(name, "index.ts"))(fileKey(fileOf(name, "index.ts")))
      memo.indexVersion = chosen
      return next
    })

    /** Stores `code` as the next version. Call under the lock. */
    const commit = Effect.fnUntraced(function* (
      name: string,
      input: { description: string; tags: ReadonlyArray<string>; usage: string | undefined; code: string }
    ) {
      const dir = dirOf(name)
      const at = yield* now
      yield* io("create", dir)(fs.makeDirectory(path.join(dir, "versions"), { recursive: true }))
      const mdPath = fileOf(name, "SKILL.md")
      const previousText = yield* io("read", mdPath)(AtomicFile.readOptional(fs, mdPath))
      const previous = previousText === undefined ? undefined : SkillMd.parse(name, previousText)
      const doc = {
        description: input.description,
        tags: input.tags,
        usage: input.usage ?? previous?.usage ?? "",
        frontMatter: previous?.frontMatter
      }
      const versions = yield* listVersions(name)
      let n = (versions.at(-1) ?? 0) + 1
      // SKILL.md before the version: a crash never leaves a version without its description.
      const md = SkillMd.render({
        name,
        ...doc,
        version: n,
        signatures: signaturesOf(name, input.code),
        previousFrontMatter: doc.frontMatter
      })
      yield* write(mdPath, md, dir)
      // Exclusive create: even if the lock were ever broken wrongly, numbers cannot collide.
      while (
        !(yield* io(
          "create version",
          versionPath(name, n)
        )(AtomicFile.createExclusive(fs, dir, versionPath(name, n), input.code, durable)))
      ) {
        n++
      }
      const all = [...versions, n]
      const stats = Stats.withSaved(yield* readStats(name), n, at)
      const chosen = Stats.best(stats, all, minRuns) ?? n
      const chosenCode = chosen === n ? input.code : ((yield* readVersion(name, chosen)) ?? input.code)
      const published = yield* publish(name, stats, chosen, chosenCode, doc, chosen === n ? md : undefined)
      yield* indexSkill(name, doc.description, doc.tags)
      const memo = memoOf(name)
      if (!memo.cleaned) {
        yield* cleanLeftovers(name)
        memo.cleaned = true
      }
      return { version: n, state: { versions: all, stats: published, chosen } satisfies State }
    })

    // Temp files of writers that died mid-write (SIGKILL) are never renamed: delete them.
    const cleanLeftovers = (name: string) =>
      Effect.gen(function* () {
        for (const dir of [dirOf(name), path.join(dirOf(name), "versions")]) {
          const entries = yield* fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => [] as Array<string>))
          for (const e of entries) {
            const pid = AtomicFile.tempPid(e)
            if (pid !== undefined && pid !== process.pid && !pidAlive(pid)) {
              yield* fs.remove(path.join(dir, e), { force: true }).pipe(Effect.ignore)
            }
          }
        }
      })

    /**
     * Brings index.ts in line with the evidence and adopts hand edits: index.ts whose content
     * is none of the versions becomes a new version (if it parses).
     */
    const reconcile = Effect.fnUntraced(function* (name: string) {
      const memo = memoOf(name)
      const versions = yield* listVersions(name)
      const stats = yield* readStats(name)
      const chosen = Stats.best(stats, versions, minRuns)
      const indexPath = fileOf(name, "index.ts")
      const key = yield* io("stat", indexPath)(fileKey(indexPath))
      if (chosen !== undefined && key !== undefined && stats.index?.version === chosen) {
        if (memo.indexKey === key && memo.indexVersion === chosen)
          return { versions, stats, chosen } satisfies State
        const text = yield* io("read", indexPath)(AtomicFile.readOptional(fs, indexPath))
        if (text !== undefined) {
          const sha = sha256(text)
          if (sha === stats.index.sha256 || sha === memo.rejected) {
            if (sha === stats.index.sha256) {
              memo.indexKey = key
              memo.indexVersion = chosen
            }
            return { versions, stats, chosen } satisfies State
          }
        }
      }
      if (chosen === undefined && key === undefined) {
        return yield* new SkillNotFound({ name, message: `skill "${name}" not found` })
      }
      return yield* locked(name, false, repair(name))
    })

    const repair = Effect.fnUntraced(function* (name: string) {
      const memo = memoOf(name)
      const versions = yield* listVersions(name)
      const stats = yield* readStats(name)
      const indexPath = fileOf(name, "index.ts")
      const text = yield* io("read", indexPath)(AtomicFile.readOptional(fs, indexPath))
      const doc = yield* readDoc(name)
      if (text !== undefined && sha256(text) !== memo.rejected) {
        const sha = sha256(text)
        let known = stats.index?.sha256 === sha
        for (let i = versions.length - 1; !known && i >= 0; i--) {
          known = (yield* readVersion(name, versions[i] as number)) === text
        }
        if (!known) {
          const checked = Code.check(text, `skills/${name}/index.ts`)
          if (checked instanceof SkillInvalid) {
            memo.rejected = sha
            yield* Effect.logWarning(
              `skills/${name}/index.ts was edited by hand but is not kept as a version: ${checked.message}`
            )
          } else {
            const { state } = yield* commit(name, {
              description: doc.description || `${name} (edited by hand)`,
              tags: doc.tags,
              usage: undefined,
              code: text
            })
            return state
          }
        }
      }
      const chosen = Stats.best(stats, versions, minRuns)
      if (chosen === undefined)
        return yield* new SkillNotFound({ name, message: `skill "${name}" not found` })
      const code = yield* readVersion(name, chosen)
      if (code === undefined)
        return yield* new SkillNotFound({
          name,
          version: chosen,
          message: `skill "${name}" has no version ${chosen}`
        })
      const mdText = yield* io(
        "read",
        fileOf(name, "SKILL.md")
      )(AtomicFile.readOptional(fs, fileOf(name, "SKILL.md")))
      // A hand edit that does not parse stays on disk for its author until the choice changes.
      const keepsEdit = text !== undefined && sha256(text) === memo.rejected
      const current =
        stats.index?.version === chosen && stats.index.sha256 === sha256(code) && (text === code || keepsEdit)
      const published = current ? stats : yield* publish(name, stats, chosen, code, doc, mdText)
      return { versions, stats: published, chosen } satisfies State
    })

    const toSkill = Effect.fnUntraced(function* (name: string, state: State, version: number, code: string) {
      const doc = yield* readDoc(name)
      return {
        name,
        description: doc.description,
        tags: doc.tags,
        usage: doc.usage,
        version,
        code,
        signatures: signaturesOf(name, code),
        latest: state.versions.at(-1) ?? version,
        chosen: state.chosen,
        stats: Stats.summarize(state.stats, version),
        versions: state.versions.map((v) => Stats.summarize(state.stats, v))
      } satisfies Skill
    })

    const summaryOf = Effect.fnUntraced(function* (name: string) {
      let versions = yield* listVersions(name)
      if (versions.length === 0) {
        // A skill a person created by hand (SKILL.md + index.ts) is adopted as version 1.
        const index = yield* io("stat", fileOf(name, "index.ts"))(fileKey(fileOf(name, "index.ts")))
        if (index === undefined) return undefined
        const adopted = yield* reconcile(name).pipe(
          Effect.catchTag("SkillNotFound", () => Effect.succeed(undefined))
        )
        if (adopted === undefined) return undefined
        versions = [...adopted.versions]
      }
      const stats = yield* readStats(name)
      const doc = yield* readDoc(name)
      let runs = 0
      let failures = 0
      for (const v of versions) {
        const r = Stats.recordOf(stats, v)
        runs += r.runs
        failures += r.failures
      }
      return {
        name,
        description: doc.description,
        tags: doc.tags,
        latest: versions.at(-1) ?? 0,
        chosen: Stats.best(stats, versions, minRuns) ?? 0,
        runs,
        failures
      } satisfies SkillSummary
    })

    const skillNames = io(
      "list",
      skillsDir
    )(fs.readDirectory(skillsDir)).pipe(
      Effect.map((entries) => entries.filter((e) => Validate.name(e) === undefined).sort())
    )

    const save = Effect.fn("SkillStore.save")(function* (input: SaveInput) {
      yield* fail(Validate.name(input.name))
      yield* fail(Validate.description(input.description, limits))
      yield* fail(Validate.tags(input.tags, limits))
      yield* fail(Validate.usage(input.usage, limits))
      yield* fail(Validate.codeSize(input.code, limits))
      const checked = Code.check(input.code, `skills/${input.name}/index.ts`)
      if (checked instanceof SkillInvalid) return yield* checked
      const { name } = input
      const { version, state } = yield* locked(
        name,
        true,
        commit(name, {
          description: input.description.trim(),
          tags: [...new Set(input.tags ?? [])],
          usage: input.usage,
          code: input.code
        })
      ).pipe(
        Effect.catchTag("SkillNotFound", (e) =>
          Effect.fail(new SkillStoreError({ operation: "save", path: dirOf(name), message: e.message }))
        )
      )
      return yield* toSkill(name, state, version, input.code)
    })

    const get = Effect.fn("SkillStore.get")(function* (
      name: string,
      options?: { readonly version?: VersionSelector | undefined }
    ) {
      yield* fail(Validate.name(name))
      const selector = options?.version ?? "best"
      if (typeof selector === "number") yield* fail(Validate.version(selector))
      const state = yield* reconcile(name)
      const version =
        selector === "best" ? state.chosen : selector === "latest" ? (state.versions.at(-1) ?? 0) : selector
      const code = state.versions.includes(version) ? yield* readVersion(name, version) : undefined
      if (code === undefined) {
        return yield* new SkillNotFound({
          name,
          version,
          message: `skill "${name}" has no version ${version} (versions 1-${state.versions.at(-1) ?? 0})`
        })
      }
      return yield* toSkill(name, state, version, code)
    })

    const list = Effect.fn("SkillStore.list")(function* () {
      const names = yield* skillNames
      const summaries = yield* Effect.forEach(names, summaryOf, { concurrency: 16 })
      return summaries.filter((s): s is SkillSummary => s !== undefined)
    })

    const refreshing = Semaphore.makeUnsafe(1)
    // Re-indexes whatever SKILL.md changed on disk since the last search (by file identity).
    const refreshIndex = refreshing.withPermit(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (lastScan !== undefined && now - lastScan < rescanMs) return
        lastScan = now
        const names = yield* skillNames
        const present = new Set(names)
        yield* Effect.forEach(
          names,
          (name) =>
            Effect.gen(function* () {
              const memo = memoOf(name)
              const key = yield* io("stat", fileOf(name, "SKILL.md"))(fileKey(fileOf(name, "SKILL.md")))
              if (key === memo.searchKey && mini.has(name)) return
              const doc = yield* readDoc(name)
              yield* indexSkill(name, doc.description, doc.tags)
            }),
          { concurrency: 32, discard: true }
        )
        for (const m of memos.keys()) {
          if (!present.has(m) && mini.has(m)) mini.discard(m)
        }
      })
    )

    const search = Effect.fn("SkillStore.search")(function* (
      query: string,
      options?: { readonly limit?: number | undefined }
    ) {
      yield* refreshIndex
      const limit = Math.max(1, Math.min(options?.limit ?? 10, 100))
      const hits = mini.search(query).slice(0, limit * 2)
      const out: Array<SearchHit> = []
      for (const hit of hits) {
        if (out.length >= limit) break
        const summary = yield* summaryOf(String(hit.id))
        if (summary) out.push({ ...summary, score: hit.score })
      }
      return out
    })

    const remove = Effect.fn("SkillStore.remove")(function* (name: string) {
      yield* fail(Validate.name(name))
      const trash = path.join(skillsDir, `.trash-${randomUUID()}`)
      yield* locked(
        name,
        false,
        Effect.gen(function* () {
          const versions = yield* listVersions(name)
          const md = yield* io("stat", fileOf(name, "SKILL.md"))(fileKey(fileOf(name, "SKILL.md")))
          if (versions.length === 0 && md === undefined) {
            return yield* new SkillNotFound({ name, message: `skill "${name}" not found` })
          }
          // One rename makes the whole skill disappear at once for every reader.
          yield* io("remove", dirOf(name))(fs.rename(dirOf(name), trash))
        })
      )
      yield* fs.remove(trash, { recursive: true, force: true }).pipe(Effect.ignore)
      memos.delete(name)
      if (mini.has(name)) mini.discard(name)
    })

    const recordRun = Effect.fn("SkillStore.recordRun")(function* (
      name: string,
      version: number,
      run: Stats.Run
    ) {
      yield* fail(Validate.name(name))
      yield* fail(Validate.version(version))
      yield* fail(Validate.durationMs(run.durationMs))
      if (typeof run.ok !== "boolean") {
        return yield* new SkillInvalid({ field: "ok", message: "ok must be a boolean" })
      }
      const at = yield* now
      return yield* locked(
        name,
        false,
        Effect.gen(function* () {
          const versions = yield* listVersions(name)
          if (!versions.includes(version)) {
            return yield* new SkillNotFound({
              name,
              version,
              message:
                versions.length === 0
                  ? `skill "${name}" not found`
                  : `skill "${name}" has no version ${version} (versions 1-${versions.at(-1)})`
            })
          }
          const before = yield* readStats(name)
          const stats = Stats.withRun(before, version, run, at)
          const chosen = Stats.best(stats, versions, minRuns) ?? version
          if (chosen !== before.index?.version) {
            const code = yield* readVersion(name, chosen)
            const mdText = yield* io(
              "read",
              fileOf(name, "SKILL.md")
            )(AtomicFile.readOptional(fs, fileOf(name, "SKILL.md")))
            const doc = mdText === undefined ? emptyDoc : SkillMd.parse(name, mdText)
            if (code !== undefined) {
              yield* publish(name, stats, chosen, code, doc, mdText)
              return Stats.summarize(stats, version)
            }
          }
          yield* write(fileOf(name, "stats.json"), Stats.render(stats), dirOf(name))
          return Stats.summarize(stats, version)
        })
      )
    })

    const files = Effect.fn("SkillStore.files")(function* () {
      const names = yield* skillNames
      const out: Record<string, string> = {}
      yield* Effect.forEach(
        names,
        (name) =>
          Effect.gen(function* () {
            const state = yield* reconcile(name)
            const code = yield* readVersion(name, state.chosen)
            const md = yield* io(
              "read",
              fileOf(name, "SKILL.md")
            )(AtomicFile.readOptional(fs, fileOf(name, "SKILL.md")))
            if (code === undefined) return
            out[`skills/${name}/index.ts`] = code
            out[`skills/${name}/SKILL.md`] = md ?? ""
          }).pipe(Effect.catchTag("SkillNotFound", () => Effect.void)),
        { concurrency: 16, discard: true }
      )
      return out
    })

    return SkillStore.of({
      save,
      get,
      list,
      search,
      remove,
      recordRun,
      files
    })
  })

const definedOnly = (o: Partial<Validate.Limits>): Partial<Validate.Limits> =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in Validate.defaultLimits))
