import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { type SkillCorrupt, SkillStore } from "../src/index.ts"
import { skillDir, storeLayer, tempRoot, versionsOnDisk } from "./helpers.ts"

const codeV = (k: number) => `export function run(x: number): number {\n  return x + ${k}\n}\n`

const withStore = <A, E>(
  root: string,
  body: (store: SkillStore.SkillStore["Service"]) => Effect.Effect<A, E>,
  options: Partial<SkillStore.Options> = {}
) => Effect.flatMap(SkillStore.SkillStore, body).pipe(Effect.provide(storeLayer(root, options)))

const snapshot = (root: string, name: string, files: ReadonlyArray<string>) =>
  Object.fromEntries(
    files.map((f) => {
      const p = join(skillDir(root, name), f)
      return [f, existsSync(p) ? readFileSync(p, "utf8") : undefined]
    })
  )
const derived = ["SKILL.md", "index.ts", "stats.json"]

const assertCorrupt = (e: { readonly _tag: string }, file: string): SkillCorrupt => {
  assert.strictEqual(e._tag, "SkillCorrupt")
  const c = e as SkillCorrupt
  assert.include(
    c.problems.map((p) => p.file),
    file
  )
  assert.include(c.message, file)
  return c
}

describe("SkillStore: corrupt files are reported, never silently reset", () => {
  it.effect("a corrupt stats.json is marked, and saves and runs refuse to overwrite it", () => {
    const root = tempRoot()
    const statsPath = join(skillDir(root, "counted"), "stats.json")
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "counted", description: "Counts", code: codeV(1) })
        for (let i = 0; i < 4; i++) yield* store.recordRun("counted", 1, { ok: true, durationMs: 5 })
        const good = readFileSync(statsPath, "utf8")
        writeFileSync(statsPath, good.slice(0, good.length / 2)) // truncated by hand
        const before = snapshot(root, "counted", derived)

        const [summary] = yield* store.list()
        assert.deepStrictEqual(
          summary?.corrupt?.map((p) => p.file),
          ["skills/counted/stats.json"]
        )
        assert.include(summary?.corrupt?.[0]?.message ?? "", "not valid JSON")
        const got = yield* store.get("counted")
        assert.strictEqual(got.code, codeV(1))
        assert.deepStrictEqual(
          got.corrupt?.map((p) => p.file),
          ["skills/counted/stats.json"]
        )
        assertCorrupt(
          yield* Effect.flip(store.recordRun("counted", 1, { ok: true, durationMs: 1 })),
          "skills/counted/stats.json"
        )
        const refused = assertCorrupt(
          yield* Effect.flip(store.save({ name: "counted", description: "Counts v2", code: codeV(2) })),
          "skills/counted/stats.json"
        )
        assert.include(refused.message, "changed nothing")
        assert.strictEqual((yield* store.files())["skills/counted/index.ts"], codeV(1))
        assert.deepStrictEqual(snapshot(root, "counted", derived), before, "nothing was overwritten")
        assert.deepStrictEqual(versionsOnDisk(root, "counted"), [1])

        // a person deletes the file: statistics start again, saves work
        rmSync(statsPath)
        // edits by hand reach list() and search() at the next rescan (rescanMs, 1 s by default)
        yield* TestClock.adjust(1000)
        assert.isUndefined((yield* store.list())[0]?.corrupt)
        assert.strictEqual(
          (yield* store.save({ name: "counted", description: "v2", code: codeV(2) })).version,
          2
        )
      })
    )
  })

  it.effect(
    "a SKILL.md whose front matter cannot be read is marked, not read as an empty description",
    () => {
      const root = tempRoot()
      const mdPath = join(skillDir(root, "described"), "SKILL.md")
      return withStore(root, (store) =>
        Effect.gen(function* () {
          yield* store.save({ name: "described", description: "Has a description", code: codeV(1) })
          const broken = readFileSync(mdPath, "utf8").replace(
            "description: Has a description",
            "description: [never closed"
          )
          writeFileSync(mdPath, broken)
          const [summary] = yield* store.list()
          assert.deepStrictEqual(
            summary?.corrupt?.map((p) => p.file),
            ["skills/described/SKILL.md"]
          )
          assert.include(summary?.corrupt?.[0]?.message ?? "", "not valid YAML")
          assertCorrupt(
            yield* Effect.flip(store.save({ name: "described", description: "New", code: codeV(2) })),
            "skills/described/SKILL.md"
          )
          assert.strictEqual(readFileSync(mdPath, "utf8"), broken, "the person's file is left as it is")

          writeFileSync(mdPath, "---\nname: described\n---\n\nNo description here.\n")
          yield* TestClock.adjust(1000)
          const [again] = yield* store.list()
          assert.include(again?.corrupt?.[0]?.message ?? "", "no description")
          // the search index does not hide it either: the skill is still found by name
          assert.strictEqual(
            (yield* store.search("described"))[0]?.corrupt?.[0]?.file,
            "skills/described/SKILL.md"
          )
        })
      )
    }
  )

  it.effect("a deleted SKILL.md is reported; the next save writes it again", () => {
    const root = tempRoot()
    const mdPath = join(skillDir(root, "bare"), "SKILL.md")
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "bare", description: "First", code: codeV(1) })
        rmSync(mdPath)
        yield* TestClock.adjust(1000)
        const [summary] = yield* store.list()
        assert.deepStrictEqual(summary?.corrupt, [
          { file: "skills/bare/SKILL.md", message: "missing; the next save writes it again" }
        ])
        assert.strictEqual((yield* store.files())["skills/bare/index.ts"], codeV(1))
        assertCorrupt(
          yield* Effect.flip(store.recordRun("bare", 1, { ok: true, durationMs: 1 })),
          "skills/bare/SKILL.md"
        )
        const saved = yield* store.save({ name: "bare", description: "Second", code: codeV(2) })
        assert.strictEqual(saved.version, 2)
        assert.include(readFileSync(mdPath, "utf8"), "description: Second")
        assert.isUndefined((yield* store.list())[0]?.corrupt)
      })
    )
  })

  it.effect("a missing versions/<n>.ts is reported; nothing falls back to an older version", () => {
    const root = tempRoot()
    const dir = skillDir(root, "versioned")
    return withStore(root, (store) =>
      Effect.gen(function* () {
        for (const k of [1, 2, 3]) yield* store.save({ name: "versioned", description: "V", code: codeV(k) })
        rmSync(join(dir, "versions", "3.ts"))
        const before = snapshot(root, "versioned", derived)

        assertCorrupt(yield* Effect.flip(store.get("versioned")), "skills/versioned/versions/3.ts")
        assertCorrupt(
          yield* Effect.flip(store.get("versioned", { version: 3 })),
          "skills/versioned/versions/3.ts"
        )
        const v2 = yield* store.get("versioned", { version: 2 })
        assert.strictEqual(v2.code, codeV(2))
        assert.strictEqual(v2.chosen, 3, "the chosen version stays the one the evidence names")
        const [summary] = yield* store.list()
        assert.strictEqual(summary?.chosen, 3)
        assert.deepStrictEqual(
          summary?.corrupt?.map((p) => p.file),
          ["skills/versioned/versions/3.ts"]
        )
        assert.strictEqual(
          (yield* store.files())["skills/versioned/index.ts"],
          codeV(3),
          "the mount keeps what index.ts holds"
        )
        assertCorrupt(
          yield* Effect.flip(store.save({ name: "versioned", description: "V", code: codeV(4) })),
          "skills/versioned/versions/3.ts"
        )
        assertCorrupt(
          yield* Effect.flip(store.recordRun("versioned", 2, { ok: true, durationMs: 1 })),
          "skills/versioned/versions/3.ts"
        )
        assert.deepStrictEqual(versionsOnDisk(root, "versioned"), [1, 2], "no version number is reused")
        assert.deepStrictEqual(snapshot(root, "versioned", derived), before, "nothing was overwritten")
        // remove still works: it is how a person gives up on a broken skill
        yield* store.remove("versioned")
        assert.isFalse(existsSync(dir))
      })
    )
  })
})

describe("SkillStore: the validate hook", () => {
  const typeChecker: SkillStore.Validator = (input) =>
    Effect.succeed(
      input.code.includes('return "s"')
        ? [{ message: "Type 'string' is not assignable to type 'number'.", line: 1, column: 30, code: 2322 }]
        : []
    )
  const bad = 'export function f(): number { return "s" }\n'

  it.effect("diagnostics refuse the save with a typed error listing them; nothing is written", () => {
    const root = tempRoot()
    const seen: Array<SkillStore.ValidateInput> = []
    const recording: SkillStore.Validator = (input) =>
      Effect.flatMap(
        Effect.sync(() => seen.push(input)),
        () => typeChecker(input)
      )
    return withStore(
      root,
      (store) =>
        Effect.gen(function* () {
          const e = yield* Effect.flip(store.save({ name: "typed", description: "d", code: bad }))
          assert.strictEqual(e._tag, "SkillInvalid")
          if (e._tag === "SkillInvalid") {
            assert.strictEqual(e.field, "code")
            assert.include(e.message, "does not type-check")
            assert.include(e.message, "line 1, column 30: Type 'string' is not assignable to type 'number'.")
            assert.strictEqual(e.diagnostics?.[0]?.code, 2322)
            assert.strictEqual(e.line, 1)
          }
          assert.isFalse(existsSync(skillDir(root, "typed")))
          assert.deepStrictEqual(seen[0], { name: "typed", path: "skills/typed/index.ts", code: bad })
          const ok = yield* store.save({ name: "typed", description: "d", code: codeV(1) })
          assert.strictEqual(ok.version, 1)
          // a per-call validator replaces the store's
          const lenient = yield* store.save(
            { name: "typed", description: "d", code: bad },
            { validate: () => Effect.succeed([]) }
          )
          assert.strictEqual(lenient.version, 2)
        }),
      { validate: recording }
    )
  })
})
