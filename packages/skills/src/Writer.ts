/**
 * The save path: new versions, the derived files (index.ts, SKILL.md, stats.json) and removal.
 *
 * A version is allocated by `link(2)`-ing a complete temp file to `versions/<n>.ts` (atomic and
 * exclusive), so numbers never collide and no version file is ever half written, even between
 * processes. Everything derived is rewritten with temp file + rename under the skill's lock
 * (see Disk.locked and FileLock).
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import * as AtomicFile from "./AtomicFile.ts"
import * as Code from "./Code.ts"
import { type Disk, fail, notFound, type State, sha256 } from "./Disk.ts"
import { type Diagnostic, SkillInvalid, SkillStoreError } from "./Errors.ts"
import { pidAlive } from "./FileLock.ts"
import * as Health from "./Health.ts"
import * as Journal from "./Journal.ts"
import type { SaveInput, Validator } from "./Model.ts"
import * as SkillMd from "./SkillMd.ts"
import * as Stats from "./Stats.ts"
import * as Validate from "./Validate.ts"

export interface Committed {
  readonly version: number
  readonly state: State
}

export type Writer = ReturnType<typeof make>

const refused = (diagnostics: ReadonlyArray<Diagnostic>) =>
  new SkillInvalid({
    field: "code",
    message: `code does not type-check (nothing was saved):\n${diagnostics
      .map((d) => {
        const at =
          d.line === undefined
            ? ""
            : d.column === undefined
              ? `line ${d.line}: `
              : `line ${d.line}, column ${d.column}: `
        return `  ${at}${d.message}`
      })
      .join("\n")}`,
    ...(diagnostics[0]?.line === undefined ? {} : { line: diagnostics[0].line }),
    ...(diagnostics[0]?.column === undefined ? {} : { column: diagnostics[0].column }),
    diagnostics
  })

/** Writes index.ts, SKILL.md and stats.json for `chosen`. Call under the lock. */
const makePublish = (disk: Disk) => {
  const { fileOf, dirOf } = disk
  const publish = Effect.fnUntraced(function* (
    name: string,
    stats: Stats.StatsFile,
    chosen: number,
    code: string,
    doc: SkillMd.SkillDoc,
    skillMd: string | undefined
  ) {
    const dir = dirOf(name)
    const md = SkillMd.render({
      name,
      description: doc.description,
      tags: doc.tags,
      usage: doc.usage,
      version: chosen,
      signatures: disk.signaturesOf(name, code),
      previousFrontMatter: doc.frontMatter
    })
    // stats.json last: until it names the new index, a crash here reads as "index.ts stale",
    // which the next read repairs.
    yield* disk.write(fileOf(name, "index.ts"), code, dir)
    if (md !== skillMd) yield* disk.write(fileOf(name, "SKILL.md"), md, dir)
    const next: Stats.StatsFile = { ...stats, index: { version: chosen, sha256: sha256(code) } }
    yield* disk.write(fileOf(name, "stats.json"), Stats.render(next), dir)
    const memo = disk.memoOf(name)
    memo.indexKey = yield* disk.fileKey(fileOf(name, "index.ts"))
    memo.indexVersion = chosen
    yield* Journal.append(disk, name)
    return next
  })
  return publish
}

export const make = (disk: Disk) => {
  const { fs, path, fileOf, dirOf, io } = disk
  const publish = makePublish(disk)

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

  /** Stores `code` as the next version. Call under the lock. */
  const commit = Effect.fnUntraced(function* (
    name: string,
    input: { description: string; tags: ReadonlyArray<string>; usage: string | undefined; code: string }
  ) {
    const dir = dirOf(name)
    const at = yield* disk.now
    yield* io("create", dir)(fs.makeDirectory(path.join(dir, "versions"), { recursive: true }))
    const seen = yield* Health.inspect(disk, name)
    if (seen.blocksSave.length > 0) return yield* Health.corrupt(name, seen.blocksSave, "saving")
    const { versions } = seen
    const mdPath = fileOf(name, "SKILL.md")
    const previous = seen.doc
    const doc: SkillMd.SkillDoc = {
      description: input.description,
      tags: input.tags,
      usage: input.usage ?? previous?.usage ?? "",
      frontMatter: previous?.frontMatter
    }
    let n = (versions.at(-1) ?? 0) + 1
    // SKILL.md before the version: a crash never leaves a version without its description.
    const md = SkillMd.render({
      name,
      ...doc,
      version: n,
      signatures: disk.signaturesOf(name, input.code),
      previousFrontMatter: doc.frontMatter
    })
    yield* disk.write(mdPath, md, dir)
    // Exclusive create: even if the lock were ever broken wrongly, numbers cannot collide.
    while (
      !(yield* io(
        "create version",
        disk.versionPath(name, n)
      )(AtomicFile.createExclusive(fs, dir, disk.versionPath(name, n), input.code, disk.durable)))
    ) {
      n++
    }
    const all = [...versions, n]
    const stats = Stats.withSaved(seen.stats, n, at)
    const chosen = Stats.best(stats, all, disk.minRuns) ?? n
    const chosenCode = chosen === n ? input.code : ((yield* disk.readVersion(name, chosen)) ?? input.code)
    const published = yield* publish(name, stats, chosen, chosenCode, doc, chosen === n ? md : undefined)
    const memo = disk.memoOf(name)
    if (!memo.cleaned) {
      yield* cleanLeftovers(name)
      memo.cleaned = true
    }
    return {
      version: n,
      state: { versions: all, stats: published, chosen, problems: [] }
    } satisfies Committed
  })

  /** Validates `input` (syntax, then the `validate` hook) and stores it as the skill's next version. */
  const save = Effect.fnUntraced(function* (input: SaveInput, validate: Validator | undefined) {
    const { limits } = disk
    yield* fail(Validate.name(input.name))
    yield* fail(Validate.description(input.description, limits))
    yield* fail(Validate.tags(input.tags, limits))
    yield* fail(Validate.usage(input.usage, limits))
    yield* fail(Validate.codeSize(input.code, limits))
    const checked = Code.check(input.code, `skills/${input.name}/index.ts`)
    if (checked instanceof SkillInvalid) return yield* checked
    const { name } = input
    if (validate) {
      const diagnostics = yield* validate({ name, path: `skills/${name}/index.ts`, code: input.code })
      if (diagnostics.length > 0) return yield* refused(diagnostics)
    }
    return yield* disk
      .locked(
        name,
        true,
        commit(name, {
          description: input.description.trim(),
          tags: [...new Set(input.tags ?? [])],
          usage: input.usage,
          code: input.code
        })
      )
      .pipe(
        Effect.catchTag("SkillNotFound", (e) =>
          Effect.fail(new SkillStoreError({ operation: "save", path: dirOf(name), message: e.message }))
        )
      )
  })

  const remove = Effect.fnUntraced(function* (name: string) {
    yield* fail(Validate.name(name))
    const trash = path.join(disk.skillsDir, `.trash-${randomUUID()}`)
    yield* disk.locked(
      name,
      false,
      Effect.gen(function* () {
        const versions = yield* disk.listVersions(name)
        const md = yield* disk.fileKey(fileOf(name, "SKILL.md"))
        if (versions.length === 0 && md === undefined) return yield* notFound(name)
        // One rename makes the whole skill disappear at once for every reader.
        yield* io("remove", dirOf(name))(fs.rename(dirOf(name), trash))
      })
    )
    yield* Journal.append(disk, name)
    yield* fs.remove(trash, { recursive: true, force: true }).pipe(Effect.ignore)
    disk.memos.delete(name)
  })

  return { publish, commit, save, remove }
}
