import { describe, expect, it } from "@effect/vitest"
import { Hello } from "@tta/core"
import { Effect } from "effect"

describe("hello", () => {
  it.effect("says hello", () =>
    Effect.gen(function* () {
      expect(yield* Hello.hello("x")).toBe("hello x")
    })
  )
})
