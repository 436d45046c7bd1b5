// The warm view behind files(), list() and search(): it follows changes made by other processes
// through the change journal (real child processes, test/fixtures/writer.ts), finds edits by hand
// at its rescan, and a warm files() reads no skill file at all (counted on a real filesystem).
import { renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FileSystem, Layer } from "effect"
import { TestClock } from "effect/testing"
import { SkillStore } from "../src/index.ts"
import { codeFor } from "./fixtures/code.ts"
import { skillDir, startWriter, tempRoot } from "./helpers.ts"

const hour = 3_600_000

const inStore = <A, E>(
  root: string,
  body: (store: SkillStore.SkillStore["Service"]) => Effect.Effect<A, E>,
  options: Partial<SkillStore.Options> = {}
) =>
  Effect.flatMap(SkillStore.SkillStore, body).pipe(
    Effect.provide(SkillStore.SkillStore.layerNode({ root, ...options }))
  )

const run = (args: Parameters<typeof startWriter>[0]) =>
  Effect.promise(async () => {
    const w = startWriter(args)
    const exit = await w.exit
    assert.strictEqual(exit.code, 0, exit.output)
  })

describe("SkillStore: the warm view", () => {
  it.live(
    "another process's saves, runs and removals show at once, without waiting for a rescan",
    () => {
      const root = tempRoot()
      // With an hour between rescans, only the change journal can explain what this store sees.
      return inStore(
        root,
        (store) =>
          Effect.gen(function* () {
            yield* store.save({ name: "shared", description: "shared skill", code: codeFor("a", 0) })
            yield* store.save({ name: "doomed", description: "to be removed", code: codeFor("a", 1) })
            assert.deepStrictEqual(Object.keys(yield* store.files()).length, 4)

            // two writers at once (different skills): a third process's saves of a new version and of new skills
            yield* Effect.all(
              [
                run({ root, mode: "same", count: 3, tag: "b" }),
                run({ root, mode: "distinct", count: 2, tag: "d" })
              ],
              { concurrency: 2 }
            )
            assert.strictEqual((yield* store.files())["skills/shared/index.ts"], codeFor("b", 2))
            const listed = yield* store.list()
            assert.deepStrictEqual(
              listed.map((s) => s.name),
              ["d-0", "d-1", "doomed", "shared"]
            )
            assert.strictEqual(listed.find((s) => s.name === "shared")?.latest, 4)
            assert.strictEqual((yield* store.search("skill 1 of d"))[0]?.name, "d-1")
            assert.strictEqual((yield* store.files())["skills/d-0/index.ts"], codeFor("d", 0))

            // then runs recorded and a removal, by two more processes at once
            yield* Effect.all(
              [
                run({ root, mode: "record", count: 5, tag: "r" }),
                run({ root, mode: "remove", count: 0, tag: "doomed" })
              ],
              { concurrency: 2 }
            )
            assert.strictEqual((yield* store.list()).find((s) => s.name === "shared")?.runs, 5)
            assert.isUndefined((yield* store.files())["skills/doomed/index.ts"])
            assert.lengthOf(yield* store.search("removed"), 0)
          }),
        { rescanMs: hour }
      )
    },
    120_000
  ) // four child processes, two at a time, each starting Node and effect: slow on a loaded machine

  it.effect("a replaced journal (compaction) makes the view rescan, so no change is lost", () => {
    const root = tempRoot()
    const journal = join(root, "skills", ".changes")
    return Effect.gen(function* () {
      yield* inStore(
        root,
        (a) =>
          Effect.gen(function* () {
            yield* a.save({ name: "kept", description: "d", code: codeFor("a", 0) })
            assert.strictEqual((yield* a.files())["skills/kept/index.ts"], codeFor("a", 0))
            // another store saves, then the journal is replaced by an empty file (a new inode)
            yield* inStore(root, (b) => b.save({ name: "kept", description: "d", code: codeFor("b", 1) }))
            writeFileSync(`${journal}.new`, "")
            renameSync(`${journal}.new`, journal)
            assert.strictEqual((yield* a.files())["skills/kept/index.ts"], codeFor("b", 1))
          }),
        { rescanMs: hour }
      )
    })
  })

  it.effect("edits by hand show at the next rescan", () => {
    const root = tempRoot()
    const edited = "export function calc(a: number): number {\n  return a * 3 // by hand\n}\n"
    return inStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "calc", description: "Calculate", code: codeFor("a", 0) })
        assert.strictEqual((yield* store.files())["skills/calc/index.ts"], codeFor("a", 0))
        writeFileSync(join(skillDir(root, "calc"), "index.ts"), edited)
        const md = join(skillDir(root, "calc"), "SKILL.md")
        writeFileSync(md, "---\nname: calc\ndescription: Multiply by three\n---\n")
        yield* TestClock.adjust(1000)
        // list() and search() wait for the rescan; files() would start it in the background
        assert.strictEqual((yield* store.search("multiply"))[0]?.name, "calc")
        assert.strictEqual((yield* store.files())["skills/calc/index.ts"], edited)
        assert.strictEqual((yield* store.list())[0]?.latest, 2, "the edit became version 2")
      })
    )
  })

  it.effect(
    "a warm files() reads no skill file (its one check, a statSync of the journal, is not even async)",
    () => {
      const root = tempRoot()
      const counts = { reads: 0, stats: 0 }
      // Node's real filesystem, counting what the store asks of it.
      const counting = Layer.effect(
        FileSystem.FileSystem,
        Effect.map(FileSystem.FileSystem, (fs) =>
          FileSystem.FileSystem.of({
            ...fs,
            readFileString: (path, encoding) => {
              counts.reads++
              return fs.readFileString(path, encoding)
            },
            stat: (path) => {
              counts.stats++
              return fs.stat(path)
            }
          })
        )
      ).pipe(Layer.provide(NodeFileSystem.layer))
      const layer = SkillStore.SkillStore.layer({ root }).pipe(
        Layer.provide(Layer.mergeAll(counting, NodePath.layer))
      )
      return Effect.gen(function* () {
        const store = yield* SkillStore.SkillStore
        for (let i = 0; i < 20; i++) {
          yield* store.save({ name: `skill-${i}`, description: `skill ${i}`, code: codeFor("w", i) })
        }
        assert.lengthOf(Object.keys(yield* store.files()), 40)
        counts.reads = 0
        counts.stats = 0
        for (let i = 0; i < 10; i++) assert.lengthOf(Object.keys(yield* store.files()), 40)
        assert.deepStrictEqual(counts, { reads: 0, stats: 0 })
        // a save elsewhere in the store costs the next files() that one skill, not the store
        yield* store.save({ name: "skill-3", description: "skill 3", code: codeFor("w", 99) })
        counts.reads = 0
        assert.strictEqual((yield* store.files())["skills/skill-3/index.ts"], codeFor("w", 99))
        assert.isAtMost(counts.reads, 6)
      }).pipe(Effect.provide(layer))
    }
  )

  it.effect("files({ only }) on a cold store reads just those skills and the skills they import", () => {
    const root = tempRoot()
    const reads: Array<string> = []
    const counting = Layer.effect(
      FileSystem.FileSystem,
      Effect.map(FileSystem.FileSystem, (fs) =>
        FileSystem.FileSystem.of({
          ...fs,
          readFileString: (path, encoding) => {
            reads.push(path)
            return fs.readFileString(path, encoding)
          }
        })
      )
    ).pipe(Layer.provide(NodeFileSystem.layer))
    const usesB =
      'import { run as b } from "../b/index.ts"\nexport function run(x: number): number {\n  return b(x) + 1\n}\n'
    return Effect.gen(function* () {
      yield* inStore(root, (store) =>
        Effect.gen(function* () {
          yield* store.save({ name: "a", description: "uses b", code: usesB })
          yield* store.save({ name: "b", description: "used by a", code: codeFor("b", 0) })
          for (let i = 0; i < 10; i++) {
            yield* store.save({ name: `other-${i}`, description: "not imported", code: codeFor("o", i) })
          }
        })
      )
      const cold = SkillStore.SkillStore.layer({ root }).pipe(
        Layer.provide(Layer.mergeAll(counting, NodePath.layer))
      )
      yield* Effect.gen(function* () {
        const store = yield* SkillStore.SkillStore
        const only = yield* store.files({ only: ["a"] })
        assert.deepStrictEqual(Object.keys(only).sort(), [
          "skills/a/SKILL.md",
          "skills/a/index.ts",
          "skills/b/SKILL.md",
          "skills/b/index.ts"
        ])
        assert.strictEqual(only["skills/a/index.ts"], usesB)
        assert.deepStrictEqual(
          reads.filter((p) => p.includes("other-")),
          [],
          "no skill it does not import was read"
        )
        assert.deepStrictEqual(yield* store.files({ only: ["nope"] }), {})
        assert.lengthOf(Object.keys(yield* store.files()), 24)
      }).pipe(Effect.provide(cold))
    })
  })

  it.live("a view loading (prewarm, or a first call) is never served half-loaded", () => {
    const root = tempRoot()
    return Effect.gen(function* () {
      yield* inStore(root, (store) =>
        Effect.forEach(
          Array.from({ length: 30 }, (_, i) => i),
          (i) => store.save({ name: `warm-${i}`, description: "d", code: codeFor("p", i) }),
          { discard: true }
        )
      )
      yield* inStore(
        root,
        (store) =>
          Effect.gen(function* () {
            assert.lengthOf(Object.keys(yield* store.files()), 60)
            assert.lengthOf(yield* store.list(), 30)
          }),
        { prewarm: true }
      )
      // calls made while the view loads wait for all of it; none is served a part
      yield* inStore(root, (store) =>
        Effect.gen(function* () {
          const mounts = yield* Effect.all(
            Array.from({ length: 4 }, () => store.files()),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(
            mounts.map((m) => Object.keys(m).length),
            [60, 60, 60, 60]
          )
        })
      )
    })
  })
})
