// Concurrency and crash safety on real files, with real child processes (test/fixtures/writer.ts).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SkillStore } from "../src/index.ts"
import { codeFor, parseCode } from "./fixtures/code.ts"
import {
  progress,
  range,
  readVersionFile,
  skillDir,
  startWriter,
  storeLayer,
  tempRoot,
  versionsOnDisk
} from "./helpers.ts"

const inStore = <A, E>(
  root: string,
  body: (store: SkillStore.SkillStore["Service"]) => Effect.Effect<A, E>
) => Effect.flatMap(SkillStore.SkillStore, body).pipe(Effect.provide(storeLayer(root)))

/** Every version file is complete and traceable to one save; returns their (tag, i) keys. */
const checkVersions = (root: string, name: string): Array<string> => {
  const versions = versionsOnDisk(root, name)
  assert.deepStrictEqual(versions, range(1, versions.length), `${name}: versions without gaps`)
  return versions.map((v) => {
    const parsed = parseCode(readVersionFile(root, name, v))
    assert.isDefined(parsed, `${name} v${v} is a complete file`)
    return `${parsed?.tag}#${parsed?.i}`
  })
}

const until = (what: string, ok: () => boolean, timeoutMs = 60_000) =>
  Effect.promise(async () => {
    const start = Date.now()
    while (!ok()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  })

const exited = (w: ReturnType<typeof startWriter>) => Effect.promise(() => w.exit)

describe("reliability: concurrent saves", () => {
  it.live(
    "100 fibers saving 100 different skills at once",
    () => {
      const root = tempRoot()
      return inStore(root, (store) =>
        Effect.gen(function* () {
          const saved = yield* Effect.forEach(
            range(0, 99),
            (i) =>
              store.save({
                name: `skill-${i}`,
                description: `skill number ${i}`,
                tags: ["bulk"],
                code: codeFor("f", i)
              }),
            { concurrency: "unbounded" }
          )
          assert.isTrue(saved.every((s) => s.version === 1))
          for (const i of range(0, 99)) assert.deepStrictEqual(checkVersions(root, `skill-${i}`), [`f#${i}`])
          assert.lengthOf(yield* store.list(), 100)
          assert.lengthOf(yield* store.search("bulk", { limit: 100 }), 100)
        })
      )
    },
    60_000
  )

  it.live(
    "100 fibers saving the same skill at once: versions 1..100, each save exactly once",
    () => {
      const root = tempRoot()
      return inStore(root, (store) =>
        Effect.gen(function* () {
          const saved = yield* Effect.forEach(
            range(0, 99),
            (i) => store.save({ name: "same", description: `save ${i}`, code: codeFor("f", i) }),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(
            saved.map((s) => s.version).sort((a, b) => a - b),
            range(1, 100)
          )
          const keys = checkVersions(root, "same")
          assert.deepStrictEqual(
            [...keys].sort(),
            range(0, 99)
              .map((i) => `f#${i}`)
              .sort()
          )
          // each returned version holds the code that save submitted
          for (const [i, s] of saved.entries()) assert.strictEqual(keys[s.version - 1], `f#${i}`)
          const best = yield* store.get("same")
          assert.strictEqual(best.version, 100)
          assert.strictEqual(readFileSync(join(skillDir(root, "same"), "index.ts"), "utf8"), best.code)
        })
      )
    },
    60_000
  )

  it.live(
    "two processes and this one's fibers saving the same skill at once",
    () => {
      const root = tempRoot()
      const gate = join(root, "go")
      return Effect.gen(function* () {
        const a = startWriter({ root, mode: "same", count: 50, tag: "pa", gate })
        const b = startWriter({ root, mode: "same", count: 50, tag: "pb", gate })
        yield* Effect.promise(() => Promise.all([a.ready, b.ready]))
        writeFileSync(gate, "")
        const mine = yield* inStore(root, (store) =>
          Effect.forEach(
            range(0, 49),
            (i) => store.save({ name: "shared", description: "shared skill", code: codeFor("me", i) }),
            { concurrency: 10 }
          )
        )
        const [ea, eb] = yield* Effect.all([exited(a), exited(b)])
        assert.strictEqual(ea.code, 0, ea.output)
        assert.strictEqual(eb.code, 0, eb.output)

        const keys = checkVersions(root, "shared")
        assert.lengthOf(keys, 150)
        const expected = ["pa", "pb", "me"].flatMap((t) => range(0, 49).map((i) => `${t}#${i}`))
        assert.deepStrictEqual([...keys].sort(), expected.sort())
        // what each writer was told matches what is on disk
        const told = [
          ...progress(root, "pa").map((p, i) => [p.version, `pa#${i}`] as const),
          ...progress(root, "pb").map((p, i) => [p.version, `pb#${i}`] as const),
          ...mine.map((s, i) => [s.version, `me#${i}`] as const)
        ]
        assert.lengthOf(told, 150)
        for (const [version, key] of told) assert.strictEqual(keys[version - 1], key)
        // the writers interleaved (otherwise this test would prove nothing about processes)
        const pa = progress(root, "pa").map((p) => p.version)
        assert.isAbove(Math.max(...pa) - Math.min(...pa), 49, "process A's versions interleave with others")
        assert.deepStrictEqual(
          readdirSync(skillDir(root, "shared")).filter((f) => f.startsWith(".")),
          [],
          "no temp or lock files left"
        )
      })
    },
    120_000
  )

  it.live(
    "two processes saving 100 different skills at once",
    () => {
      const root = tempRoot()
      const gate = join(root, "go")
      return Effect.gen(function* () {
        const a = startWriter({ root, mode: "distinct", count: 50, tag: "qa", gate })
        const b = startWriter({ root, mode: "distinct", count: 50, tag: "qb", gate })
        yield* Effect.promise(() => Promise.all([a.ready, b.ready]))
        writeFileSync(gate, "")
        const [ea, eb] = yield* Effect.all([exited(a), exited(b)])
        assert.strictEqual(ea.code, 0, ea.output)
        assert.strictEqual(eb.code, 0, eb.output)
        for (const t of ["qa", "qb"]) {
          for (const i of range(0, 49))
            assert.deepStrictEqual(checkVersions(root, `${t}-${i}`), [`${t}#${i}`])
        }
        const listed = yield* inStore(root, (store) => store.list())
        assert.lengthOf(listed, 100)
      })
    },
    120_000
  )
})

describe("reliability: a writer killed with SIGKILL", () => {
  it.live(
    "the store opens, every skill reads, at most the in-flight version is missing",
    () => {
      const root = tempRoot()
      return Effect.gen(function* () {
        let reportedBefore = 0
        for (const [round, delayMs] of [0, 7, 23].entries()) {
          const tag = `k${round}`
          const w = startWriter({ root, mode: "loop", count: 0, tag })
          yield* until(`round ${round} saves`, () => progress(root, tag).length >= 5)
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, delayMs)))
          w.kill("SIGKILL")
          const exit = yield* exited(w)
          assert.strictEqual(exit.signal, "SIGKILL")

          const reported = progress(root, tag).map((p) => p.version)
          const lastReported = reported.at(-1) ?? 0
          const keys = checkVersions(root, "loop")
          const onDisk = keys.length
          // every save the writer completed is there; beyond that at most the one in flight
          assert.deepStrictEqual(reported, range(reportedBefore + 1, lastReported))
          assert.isAtLeast(onDisk, lastReported)
          assert.isAtMost(onDisk, lastReported + 1)

          yield* inStore(root, (store) =>
            Effect.gen(function* () {
              const listed = yield* store.list()
              assert.deepStrictEqual(
                listed.map((s) => [s.name, s.latest]),
                [["loop", onDisk]]
              )
              for (const v of range(1, onDisk))
                assert.strictEqual((yield* store.get("loop", { version: v })).version, v)
              const best = yield* store.get("loop")
              assert.strictEqual(best.version, onDisk)
              const files = yield* store.files()
              assert.strictEqual(files["skills/loop/index.ts"], readVersionFile(root, "loop", onDisk))
              // a lock left by the dead writer does not wedge the next save
              const next = yield* store.save({
                name: "loop",
                description: "after the kill",
                code: codeFor(`after${round}`, 0)
              })
              assert.strictEqual(next.version, onDisk + 1)
            })
          )
          assert.isFalse(existsSync(join(skillDir(root, "loop"), ".lock")))
          assert.deepStrictEqual(
            readdirSync(skillDir(root, "loop")).filter((f) => f.startsWith(".tmp-")),
            [],
            "temp files of the dead writer are cleaned up"
          )
          reportedBefore = onDisk + 1
        }
      })
    },
    120_000
  )

  it.live("a lock file left by a dead process is broken, one held by this process is waited for", () => {
    const root = tempRoot()
    return inStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "locked", description: "d", code: codeFor("l", 0) })
        const lock = join(skillDir(root, "locked"), ".lock")
        // pid 2^22 + 1 is above Linux's pid_max default: no such process
        writeFileSync(lock, JSON.stringify({ pid: 4_194_305, host: hostname(), token: "dead" }))
        const s = yield* store.save({ name: "locked", description: "d", code: codeFor("l", 1) })
        assert.strictEqual(s.version, 2)
        assert.isFalse(existsSync(lock))
      })
    )
  })
})

describe("reliability: concurrent recordRun", () => {
  it.live(
    "200 fibers recording at once lose no count",
    () => {
      const root = tempRoot()
      return inStore(root, (store) =>
        Effect.gen(function* () {
          yield* store.save({ name: "counted", description: "d", code: codeFor("c", 0) })
          yield* Effect.forEach(
            range(0, 199),
            (i) => store.recordRun("counted", 1, { ok: i % 4 !== 0, durationMs: i }),
            { concurrency: "unbounded", discard: true }
          )
          const s = (yield* store.get("counted")).stats
          assert.strictEqual(s.runs, 200)
          assert.strictEqual(s.failures, 50)
        })
      )
    },
    60_000
  )

  it.live(
    "two processes and this one's fibers recording at once lose no count",
    () => {
      const root = tempRoot()
      const gate = join(root, "go")
      return Effect.gen(function* () {
        yield* inStore(root, (store) =>
          store.save({ name: "shared", description: "d", code: codeFor("c", 0) })
        )
        const a = startWriter({ root, mode: "record", count: 100, tag: "ra", gate })
        const b = startWriter({ root, mode: "record", count: 100, tag: "rb", gate })
        yield* Effect.promise(() => Promise.all([a.ready, b.ready]))
        writeFileSync(gate, "")
        yield* inStore(root, (store) =>
          Effect.forEach(
            range(0, 99),
            (i) => store.recordRun("shared", 1, { ok: i % 4 !== 0, durationMs: i }),
            {
              concurrency: 10,
              discard: true
            }
          )
        )
        const [ea, eb] = yield* Effect.all([exited(a), exited(b)])
        assert.strictEqual(ea.code, 0, ea.output)
        assert.strictEqual(eb.code, 0, eb.output)
        const s = (yield* inStore(root, (store) => store.get("shared"))).stats
        assert.strictEqual(s.runs, 300)
        assert.strictEqual(s.failures, 75)
      })
    },
    120_000
  )
})
