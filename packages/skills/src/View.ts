/**
 * The warm view: every skill's summary, mount (index.ts + SKILL.md) and search entry kept in
 * memory, so `files()`, `list()` and `search()` do not read the store on every call.
 *
 * It stays fresh three ways:
 * - changes made by any store, in this process or another, are named in the change journal
 *   (Journal.ts): each call stats it once and reloads only the skills named since the last look;
 * - edits by hand (which write no journal line) are found by a rescan that compares the file
 *   identities of each skill, at most every `rescanMs`: `list` and `search` wait for it, `files`
 *   (the mount of every execution) starts it in the background and serves the current view;
 * - the first call loads everything.
 */
import { Clock, Effect, Semaphore } from "effect"
import type * as Scope from "effect/Scope"
import * as Code from "./Code.ts"
import type { Disk } from "./Disk.ts"
import type { SkillStoreError } from "./Errors.ts"
import * as Journal from "./Journal.ts"
import type { SearchHit, SkillSummary } from "./Model.ts"
import type { Reader } from "./Reader.ts"
import * as SkillSearch from "./SkillSearch.ts"
import * as Validate from "./Validate.ts"

interface Entry {
  /** File identities the entry was read at (Disk.keysOf). */
  readonly keys: string
  readonly summary: SkillSummary
  readonly code: string | undefined
  readonly md: string
}

/**
 * The mount of the named skills and of the skills their code imports (transitively), with each
 * entry from `entryOf`.
 */
const mountOf = Effect.fnUntraced(function* <E>(
  only: ReadonlyArray<string>,
  entryOf: (name: string) => Effect.Effect<Entry | undefined, E>
) {
  const out: Record<string, string> = {}
  const queue = [...only]
  const seen = new Set<string>()
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name) || Validate.name(name) !== undefined) continue
    seen.add(name)
    const e = yield* entryOf(name)
    if (e?.code === undefined) continue
    out[`skills/${name}/index.ts`] = e.code
    out[`skills/${name}/SKILL.md`] = e.md
    queue.push(...Code.importedSkills(e.code, `skills/${name}/index.ts`))
  }
  return out
})

export const make = (disk: Disk, reader: Reader, scope: Scope.Scope, rescanMs: number) => {
  const entries = new Map<string, Entry>()
  const index = SkillSearch.makeIndex()
  let mount: Readonly<Record<string, string>> | undefined
  let listing: ReadonlyArray<SkillSummary> | undefined
  let journal: Journal.Position | undefined
  let lastScan = Number.NEGATIVE_INFINITY
  let scanning = false
  const lock = Semaphore.makeUnsafe(1)

  const put = (name: string, entry: Entry | undefined) => {
    if (entry === undefined) {
      entries.delete(name)
      index.delete(name)
    } else {
      entries.set(name, entry)
      index.set(SkillSearch.entry(name, entry.summary.description, entry.summary.tags))
    }
    mount = undefined
    listing = undefined
  }

  const load = Effect.fnUntraced(function* (name: string) {
    // Identities first: a change while reading shows as a mismatch at the next rescan.
    const keys = yield* disk.keysOf(name)
    const snap = yield* reader.snapshot(name)
    put(name, snap && { keys, summary: snap.summary, code: snap.code, md: snap.md })
  })

  /** Reloads one skill if its files changed identity since it was loaded (or it never was). */
  const checked = Effect.fnUntraced(function* (name: string) {
    const had = entries.get(name)
    if (had === undefined || had.keys !== (yield* disk.keysOf(name))) yield* load(name)
  })

  /** Re-reads the skills whose files changed identity (every write renames: a new inode); drops the gone. */
  const rescan = Effect.fnUntraced(function* () {
    lastScan = yield* Clock.currentTimeMillis
    const names = yield* disk.skillNames
    yield* Effect.forEach(names, checked, { concurrency: 16, discard: true })
    const present = new Set(names)
    for (const name of [...entries.keys()]) if (!present.has(name)) put(name, undefined)
  })

  const journalMoved = (at: Journal.Position) =>
    journal === undefined || at.ino !== journal.ino || at.size !== journal.size

  /** Under the lock: catch up with the journal (or rescan everything if it was replaced). */
  const catchUp = Effect.fnUntraced(function* (at: Journal.Position) {
    // The position is recorded only once the view has caught up with it: until then other calls
    // see the journal moved and wait on the lock, rather than serve a half-loaded view.
    const last = journal
    const got =
      last === undefined || at.ino !== last.ino || at.size < last.size
        ? undefined
        : yield* Journal.read(disk, last.size, at.size)
    if (got === undefined) {
      yield* rescan()
      journal = at
      return
    }
    const names = got.names.filter((n) => Validate.name(n) === undefined)
    yield* Effect.forEach(names, load, { concurrency: 16, discard: true })
    journal = { ino: at.ino, size: got.next }
  })

  const scanInBackground = Effect.suspend(() => {
    if (scanning) return Effect.void
    scanning = true
    return lock.withPermit(rescan()).pipe(
      Effect.catch((e) => Effect.logWarning(`skills: background rescan failed: ${e.message}`)),
      Effect.ensuring(Effect.sync(() => (scanning = false))),
      Effect.forkIn(scope),
      Effect.asVoid
    )
  })

  /** Brings the view up to date; `wait: false` leaves the hand-edit rescan to the background. */
  const fresh = (wait: boolean): Effect.Effect<void, SkillStoreError> =>
    Effect.gen(function* () {
      const at = yield* Journal.position(disk)
      if (journalMoved(at)) {
        yield* lock.withPermit(
          Effect.flatMap(Journal.position(disk), (now) => (journalMoved(now) ? catchUp(now) : Effect.void))
        )
      }
      const now = yield* Clock.currentTimeMillis
      if (now - lastScan < rescanMs) return
      if (wait) {
        yield* lock.withPermit(
          Effect.flatMap(Clock.currentTimeMillis, (t) => (t - lastScan < rescanMs ? Effect.void : rescan()))
        )
      } else yield* scanInBackground
    })

  /** The tree to mount: `skills/<name>/index.ts` and `skills/<name>/SKILL.md` of every skill. */
  const files = Effect.map(fresh(false), () => {
    if (mount === undefined) {
      const out: Record<string, string> = {}
      for (const [name, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (e.code === undefined) continue
        out[`skills/${name}/index.ts`] = e.code
        out[`skills/${name}/SKILL.md`] = e.md
      }
      mount = Object.freeze(out)
    }
    return mount
  })

  /**
   * Only the named skills and the skills their code imports (transitively). Before the view is
   * loaded this reads just those skills, so a fresh process that runs code importing one skill
   * does not read the whole store.
   */
  const filesOf = (only: ReadonlyArray<string>) =>
    Effect.andThen(
      Effect.suspend(() => (journal === undefined ? Effect.void : fresh(false))),
      () =>
        mountOf(only, (name) =>
          Effect.map(journal === undefined ? lock.withPermit(checked(name)) : Effect.void, () =>
            entries.get(name)
          )
        )
    )

  const list = Effect.map(fresh(true), () => {
    if (listing === undefined) {
      listing = [...entries.values()].map((e) => e.summary).sort((a, b) => (a.name < b.name ? -1 : 1))
    }
    return listing
  })

  const search = (query: string, limit: number) =>
    Effect.map(fresh(true), () => {
      const out: Array<SearchHit> = []
      for (const hit of index.search(query, { limit })) {
        const e = entries.get(String(hit.id))
        if (e) out.push({ ...e.summary, score: hit.score })
      }
      return out
    })

  return { files, filesOf, list, search }
}
