import { assert, describe, it } from "@effect/vitest"
import { Stats } from "../src/index.ts"

const runs = (stats: Stats.StatsFile, version: number, list: Array<[boolean, number]>) =>
  list.reduce((s, [ok, durationMs]) => Stats.withRun(s, version, { ok, durationMs }, "t"), stats)

describe("Stats", () => {
  it("percentiles are nearest-rank over the recent window", () => {
    assert.strictEqual(Stats.percentile([], 50), undefined)
    assert.strictEqual(Stats.percentile([5], 95), 5)
    assert.strictEqual(Stats.percentile([4, 1, 3, 2], 50), 2)
    assert.strictEqual(Stats.percentile([4, 1, 3, 2], 95), 4)
    const many = runs(
      Stats.empty,
      1,
      Array.from({ length: 500 }, (_, i) => [true, i] as [boolean, number])
    )
    const r = Stats.recordOf(many, 1)
    assert.strictEqual(r.runs, 500)
    assert.lengthOf(r.durations, Stats.durationWindow)
    assert.strictEqual(Stats.summarize(many, 1).p50Ms, 399)
  })

  it("best: latest with no evidence, latest on trial, then success rate, p50, newest", () => {
    assert.strictEqual(Stats.best(Stats.empty, [], 3), undefined)
    assert.strictEqual(Stats.best(Stats.empty, [1, 2, 3], 3), 3)
    let s = runs(Stats.empty, 1, [
      [true, 9],
      [true, 9],
      [true, 9]
    ])
    assert.strictEqual(Stats.best(s, [1, 2], 3), 2, "v2 has no evidence yet")
    s = runs(s, 2, [
      [true, 1],
      [false, 1],
      [true, 1]
    ])
    assert.strictEqual(Stats.best(s, [1, 2], 3), 1, "higher success rate wins")
    s = runs(s, 3, [
      [true, 5],
      [true, 5],
      [true, 5]
    ])
    assert.strictEqual(Stats.best(s, [1, 2, 3], 3), 3, "same success rate, lower p50")
    s = runs(s, 4, [
      [true, 5],
      [true, 5],
      [true, 5]
    ])
    assert.strictEqual(Stats.best(s, [1, 2, 3, 4], 3), 4, "full tie: newest")
  })

  it("parse: a missing file is no evidence; truncated or foreign JSON is corrupt, not empty", () => {
    assert.deepStrictEqual(Stats.parse(undefined), { _tag: "Ok", stats: Stats.empty })
    const truncated = Stats.parse('{"versions": {"1": {"runs": 2')
    assert.strictEqual(truncated._tag, "Corrupt")
    if (truncated._tag === "Corrupt") assert.include(truncated.message, "not valid JSON")
    const foreign = Stats.parse('{"versions": 5}')
    assert.strictEqual(foreign._tag, "Corrupt")
    if (foreign._tag === "Corrupt") assert.include(foreign.message, "not a stats file")
    assert.strictEqual(Stats.parse("")._tag, "Corrupt")
    const s = runs(Stats.empty, 1, [[false, 3]])
    assert.deepStrictEqual(Stats.parse(Stats.render(s)), { _tag: "Ok", stats: s })
    assert.include(Stats.render(s), '"durations": [3]')
  })
})
