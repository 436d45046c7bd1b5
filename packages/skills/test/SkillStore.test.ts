import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as YAML from "yaml"
import { SkillStore } from "../src/index.ts"
import { skillDir, storeLayer, tempRoot, versionsOnDisk } from "./helpers.ts"

const csvV1 = `export function parseCsv(text: string): Array<Array<string>> {
  return text.split("\\n").map((line) => line.split(","))
}
`
const csvV2 = `export async function parseCsv(text: string, sep = ","): Promise<Array<Array<string>>> {
  return text.split("\\n").map((line) => line.split(sep))
}
`

const withStore = <A, E>(
  root: string,
  body: (store: SkillStore.SkillStore["Service"]) => Effect.Effect<A, E>,
  options: Partial<SkillStore.Options> = {}
) => Effect.flatMap(SkillStore.SkillStore, body).pipe(Effect.provide(storeLayer(root, options)))

const frontMatter = (text: string): Record<string, unknown> =>
  YAML.parse(/^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? "") as Record<string, unknown>

describe("SkillStore: save and get", () => {
  it.effect("writes the Agent Skills layout and numbers versions from 1", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        const v1 = yield* store.save({
          name: "parse-csv",
          description: "Parse CSV text",
          tags: ["csv"],
          code: csvV1
        })
        const v2 = yield* store.save({
          name: "parse-csv",
          description: "Parse CSV text into rows",
          tags: ["csv", "parsing"],
          code: csvV2,
          usage: "Pass the whole file as one string."
        })
        assert.strictEqual(v1.version, 1)
        assert.strictEqual(v2.version, 2)
        assert.deepStrictEqual(versionsOnDisk(root, "parse-csv"), [1, 2])
        const dir = skillDir(root, "parse-csv")
        assert.strictEqual(readFileSync(join(dir, "versions", "1.ts"), "utf8"), csvV1)
        assert.strictEqual(readFileSync(join(dir, "index.ts"), "utf8"), csvV2)
        const md = readFileSync(join(dir, "SKILL.md"), "utf8")
        assert.deepStrictEqual(frontMatter(md), {
          name: "parse-csv",
          description: "Parse CSV text into rows",
          metadata: { tags: "csv, parsing" }
        })
        assert.include(md, "Pass the whole file as one string.")
        assert.include(md, 'import { parseCsv } from "./skills/parse-csv/index.ts"')
        assert.include(
          md,
          'export async function parseCsv(text: string, sep = ","): Promise<Array<Array<string>>>'
        )
        const stats = JSON.parse(readFileSync(join(dir, "stats.json"), "utf8"))
        assert.deepStrictEqual(Object.keys(stats.versions), ["1", "2"])
        // nothing transient left behind
        assert.deepStrictEqual(readdirSync(dir).sort(), ["SKILL.md", "index.ts", "stats.json", "versions"])

        const best = yield* store.get("parse-csv")
        assert.strictEqual(best.version, 2)
        assert.strictEqual(best.code, csvV2)
        assert.deepStrictEqual(best.tags, ["csv", "parsing"])
        assert.strictEqual(best.usage, "Pass the whole file as one string.")
        const first = yield* store.get("parse-csv", { version: 1 })
        assert.strictEqual(first.code, csvV1)
        assert.deepStrictEqual(first.signatures, [
          "export function parseCsv(text: string): Array<Array<string>>"
        ])
        assert.strictEqual((yield* store.get("parse-csv", { version: "latest" })).version, 2)
      })
    )
  })

  it.effect("stamps savedAt and run times with the Clock", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2030-01-02T03:04:05.000Z"))
        const saved = yield* store.save({ name: "clocked", description: "d", code: csvV1 })
        assert.strictEqual(saved.stats.savedAt, "2030-01-02T03:04:05.000Z")
        yield* TestClock.adjust(60_000)
        const run = yield* store.recordRun("clocked", 1, { ok: false, durationMs: 5, error: "nope" })
        assert.strictEqual(run.lastRunAt, "2030-01-02T03:05:05.000Z")
        assert.deepStrictEqual(run.lastError, { message: "nope", at: "2030-01-02T03:05:05.000Z" })
      })
    )
  })

  it.effect("get of a missing skill or version fails with SkillNotFound naming it", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        const none = yield* Effect.flip(store.get("nope"))
        assert.strictEqual(none._tag, "SkillNotFound")
        assert.include(none.message, '"nope"')
        yield* store.save({ name: "one", description: "d", code: csvV1 })
        const v9 = yield* Effect.flip(store.get("one", { version: 9 }))
        assert.strictEqual(v9._tag, "SkillNotFound")
        assert.include(v9.message, "no version 9")
      })
    )
  })
})

describe("SkillStore: validation", () => {
  it.effect("refuses unsafe names, oversized fields and bad tags, writing nothing", () => {
    const root = tempRoot()
    return withStore(
      root,
      (store) =>
        Effect.gen(function* () {
          for (const name of [
            "../etc",
            "a/b",
            "..",
            "Upper",
            "",
            "a--b",
            "-a",
            "x".repeat(65),
            "a\\b",
            "a b"
          ]) {
            const e = yield* Effect.flip(store.save({ name, description: "d", code: csvV1 }))
            assert.strictEqual(e._tag, "SkillInvalid", name)
            if (e._tag === "SkillInvalid") assert.strictEqual(e.field, "name")
          }
          const cases: Array<[Partial<SkillStore.SaveInput>, string, string]> = [
            [{ description: "" }, "description", "non-empty"],
            [{ description: "x".repeat(1025) }, "description", "limit is 1024"],
            [{ tags: ["Not A Tag"] }, "tags", "Not A Tag"],
            [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags", "limit is 20"],
            [{ code: `export function f() {}\n${"//".repeat(600)}` }, "code", "limit is 1000"],
            [{ usage: "u".repeat(20_000) }, "usage", "limit"]
          ]
          for (const [patch, field, says] of cases) {
            const e = yield* Effect.flip(store.save({ name: "ok", description: "d", code: csvV1, ...patch }))
            assert.strictEqual(e._tag, "SkillInvalid")
            if (e._tag === "SkillInvalid") {
              assert.strictEqual(e.field, field)
              assert.include(e.message, says)
            }
          }
          assert.deepStrictEqual(readdirSync(join(root, "skills")), [])
          const bad = yield* Effect.flip(store.recordRun("ok", 1, { ok: true, durationMs: Number.NaN }))
          assert.strictEqual(bad._tag, "SkillInvalid")
          const badVersion = yield* Effect.flip(store.get("ok", { version: 0 }))
          assert.strictEqual(badVersion._tag, "SkillInvalid")
        }),
      { maxCodeBytes: 1000 }
    )
  })

  it.effect("refuses code that does not parse, with the line, and code that exports nothing", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        const code = "export function f(a: number): number {\n  const x = a +\n}\n"
        const e = yield* Effect.flip(store.save({ name: "broken", description: "d", code }))
        assert.strictEqual(e._tag, "SkillInvalid")
        if (e._tag !== "SkillInvalid") return
        assert.strictEqual(e.field, "code")
        assert.strictEqual(e.line, 3)
        assert.include(e.message, "line 3")
        const none = yield* Effect.flip(
          store.save({ name: "broken", description: "d", code: "const x = 1\n" })
        )
        assert.include(none.message, "exports no function")
        assert.isFalse(existsSync(skillDir(root, "broken")))
      })
    )
  })
})

describe("SkillStore: statistics and the best version", () => {
  it.effect("counts runs and failures, p50/p95 and the last error", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "timed", description: "d", code: csvV1 })
        for (let i = 1; i <= 20; i++) {
          yield* store.recordRun("timed", 1, { ok: i % 5 !== 0, durationMs: i * 10, error: `failure ${i}` })
        }
        const s = (yield* store.get("timed")).stats
        assert.strictEqual(s.runs, 20)
        assert.strictEqual(s.failures, 4)
        assert.strictEqual(s.successRate, 0.8)
        assert.strictEqual(s.p50Ms, 100)
        assert.strictEqual(s.p95Ms, 190)
        assert.strictEqual(s.lastError?.message, "failure 20")
        const missing = yield* Effect.flip(store.recordRun("timed", 2, { ok: true, durationMs: 1 }))
        assert.strictEqual(missing._tag, "SkillNotFound")
        const unknown = yield* Effect.flip(store.recordRun("ghost", 1, { ok: true, durationMs: 1 }))
        assert.strictEqual(unknown._tag, "SkillNotFound")
      })
    )
  })

  it.effect("latest until there is evidence, then success rate, then p50; index.ts follows", () => {
    const root = tempRoot()
    const indexTs = () => readFileSync(join(skillDir(root, "pick"), "index.ts"), "utf8")
    const skillMd = () => readFileSync(join(skillDir(root, "pick"), "SKILL.md"), "utf8")
    const code = (n: number) => `export function pick(): number {\n  return ${n}\n}\n`
    return withStore(
      root,
      (store) =>
        Effect.gen(function* () {
          yield* store.save({ name: "pick", description: "d", code: code(1) })
          yield* store.save({ name: "pick", description: "d", code: code(2) })
          assert.strictEqual((yield* store.get("pick", { version: "best" })).version, 2)
          // v2 proves worse than v1 once both have evidence
          for (let i = 0; i < 3; i++) yield* store.recordRun("pick", 1, { ok: true, durationMs: 50 })
          assert.strictEqual((yield* store.get("pick")).chosen, 2, "v2 is still on trial")
          for (let i = 0; i < 3; i++) yield* store.recordRun("pick", 2, { ok: i !== 0, durationMs: 5 })
          assert.strictEqual((yield* store.get("pick")).version, 1)
          assert.strictEqual(indexTs(), code(1))
          assert.include(skillMd(), "## Signature (version 1)")
          // a new version is tried until it has evidence; equal success rate: lower p50 wins
          yield* store.save({ name: "pick", description: "d", code: code(3) })
          assert.strictEqual(indexTs(), code(3))
          for (let i = 0; i < 3; i++) yield* store.recordRun("pick", 3, { ok: true, durationMs: 20 })
          const best = yield* store.get("pick")
          assert.strictEqual(best.version, 3)
          assert.strictEqual(best.stats.p50Ms, 20)
          for (let i = 0; i < 3; i++) yield* store.recordRun("pick", 1, { ok: true, durationMs: 1 })
          assert.strictEqual((yield* store.get("pick")).version, 1)
          assert.strictEqual(indexTs(), code(1))
          const files = yield* store.files()
          assert.strictEqual(files["skills/pick/index.ts"], code(1))
        }),
      { minRuns: 3 }
    )
  })
})

describe("SkillStore: edits by hand", () => {
  it.effect("SKILL.md edits (description, tags, notes, extra front matter) are read and kept", () => {
    const root = tempRoot()
    const mdPath = join(skillDir(root, "greet"), "SKILL.md")
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({
          name: "greet",
          description: "Say hello",
          tags: ["text"],
          code: csvV1,
          usage: "old notes"
        })
        assert.lengthOf(yield* store.search("salutation"), 0)
        const edited = readFileSync(mdPath, "utf8")
          .replace("description: Say hello", "description: Salutation for a person\nlicense: MIT")
          .replace("tags: text", "tags: text, greeting")
          .replace("old notes", "Notes a person wrote.")
        writeFileSync(mdPath, edited)
        // search re-checks the disk once its rescan interval (1 s by default) has passed
        assert.lengthOf(yield* store.search("salutation"), 0)
        yield* TestClock.adjust(1000)
        const got = yield* store.get("greet")
        assert.strictEqual(got.description, "Salutation for a person")
        assert.deepStrictEqual(got.tags, ["text", "greeting"])
        assert.strictEqual(got.usage, "Notes a person wrote.")
        assert.deepStrictEqual(
          (yield* store.search("salutation")).map((h) => h.name),
          ["greet"]
        )
        // a new save without usage keeps the person's notes and their extra front matter
        yield* store.save({ name: "greet", description: "Salutation v2", tags: ["text"], code: csvV2 })
        const md = readFileSync(mdPath, "utf8")
        assert.include(md, "Notes a person wrote.")
        assert.strictEqual(frontMatter(md).license, "MIT")
        assert.strictEqual(frontMatter(md).description, "Salutation v2")
      })
    )
  })

  it.effect("an edited index.ts becomes a new version; one that does not parse is not adopted", () => {
    const root = tempRoot()
    const indexPath = join(skillDir(root, "calc"), "index.ts")
    const edited = "export function calc(a: number): number {\n  return a * 2 // edited by hand\n}\n"
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "calc", description: "Calculate", code: csvV1 })
        writeFileSync(indexPath, edited)
        const got = yield* store.get("calc")
        assert.strictEqual(got.version, 2)
        assert.strictEqual(got.code, edited)
        assert.strictEqual(got.chosen, 2)
        assert.deepStrictEqual(versionsOnDisk(root, "calc"), [1, 2])
        assert.strictEqual((yield* store.files())["skills/calc/index.ts"], edited)

        writeFileSync(indexPath, "export function calc( {\n")
        const after = yield* store.get("calc")
        assert.strictEqual(after.version, 2, "the broken edit is not a version")
        assert.deepStrictEqual(versionsOnDisk(root, "calc"), [1, 2])
        assert.strictEqual(
          (yield* store.files())["skills/calc/index.ts"],
          edited,
          "sandboxes get working code"
        )
        assert.strictEqual(
          readFileSync(indexPath, "utf8"),
          "export function calc( {\n",
          "the person's file is left alone"
        )
      })
    )
  })

  it.effect("a version file edited by hand is read as edited; a skill created by hand is adopted", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "tweak", description: "d", code: csvV1 })
        writeFileSync(join(skillDir(root, "tweak"), "versions", "1.ts"), csvV2)
        assert.strictEqual((yield* store.get("tweak", { version: 1 })).code, csvV2)

        const dir = skillDir(root, "handmade")
        mkdirSync(dir, { recursive: true })
        writeFileSync(
          join(dir, "SKILL.md"),
          "---\nname: handmade\ndescription: Made by a person\n---\n\nUse it.\n"
        )
        writeFileSync(join(dir, "index.ts"), "export const handmade = (x: number) => x + 1\n")
        const listed = yield* store.list()
        assert.deepStrictEqual(
          listed.map((s) => [s.name, s.latest]),
          [
            ["handmade", 1],
            ["tweak", 1]
          ]
        )
        const got = yield* store.get("handmade")
        assert.strictEqual(got.description, "Made by a person")
        assert.strictEqual(got.usage, "Use it.")
        assert.deepStrictEqual(got.signatures, ["export const handmade = (x: number) =>"])
      })
    )
  })
})

describe("SkillStore: list, search, remove, files", () => {
  it.effect("search ranks by name, description and tags, with prefixes and typos", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({
          name: "parse-csv",
          description: "Parse comma separated text",
          tags: ["csv"],
          code: csvV1
        })
        yield* store.save({
          name: "fetch-weather",
          description: "Weather forecast for a city",
          tags: ["http"],
          code: csvV1
        })
        yield* store.save({
          name: "summarize-issues",
          description: "Summarize GitHub issues",
          tags: ["github", "csv"],
          code: csvV1
        })
        const csv = yield* store.search("csv")
        assert.deepStrictEqual(
          csv.map((h) => h.name),
          ["parse-csv", "summarize-issues"]
        )
        assert.isAbove(csv[0]?.score ?? 0, csv[1]?.score ?? 0)
        assert.strictEqual((yield* store.search("weath"))[0]?.name, "fetch-weather")
        assert.strictEqual((yield* store.search("githib"))[0]?.name, "summarize-issues")
        assert.lengthOf(yield* store.search("zzzz"), 0)
        assert.lengthOf(yield* store.search("csv", { limit: 1 }), 1)
      })
    )
  })

  it.effect("remove deletes a skill everywhere; files() mounts index.ts and SKILL.md per skill", () => {
    const root = tempRoot()
    return withStore(root, (store) =>
      Effect.gen(function* () {
        yield* store.save({ name: "keep", description: "Keep me", code: csvV1 })
        yield* store.save({ name: "drop", description: "Drop me", code: csvV2 })
        assert.lengthOf(yield* store.search("drop"), 1)
        yield* store.remove("drop")
        assert.isFalse(existsSync(skillDir(root, "drop")))
        assert.deepStrictEqual(
          (yield* store.list()).map((s) => s.name),
          ["keep"]
        )
        assert.lengthOf(yield* store.search("drop"), 0)
        assert.strictEqual((yield* Effect.flip(store.get("drop")))._tag, "SkillNotFound")
        assert.strictEqual((yield* Effect.flip(store.remove("drop")))._tag, "SkillNotFound")
        const files = yield* store.files()
        assert.deepStrictEqual(Object.keys(files).sort(), ["skills/keep/SKILL.md", "skills/keep/index.ts"])
        assert.strictEqual(files["skills/keep/index.ts"], csvV1)
        assert.include(files["skills/keep/SKILL.md"] ?? "", "description: Keep me")
        // the name can be reused, starting again at version 1
        assert.strictEqual((yield* store.save({ name: "drop", description: "Back", code: csvV1 })).version, 1)
      })
    )
  })

  it.effect("a second store on the same root sees what the first one wrote", () => {
    const root = tempRoot()
    return Effect.gen(function* () {
      yield* withStore(root, (a) => a.save({ name: "shared-one", description: "Written by A", code: csvV1 }))
      yield* withStore(root, (b) =>
        Effect.gen(function* () {
          assert.strictEqual((yield* b.search("written"))[0]?.name, "shared-one")
          yield* b.save({ name: "shared-one", description: "Written by B", code: csvV2 })
        })
      )
      yield* withStore(root, (a) =>
        Effect.gen(function* () {
          const got = yield* a.get("shared-one")
          assert.strictEqual(got.version, 2)
          assert.strictEqual(got.description, "Written by B")
        })
      )
    })
  })
})
