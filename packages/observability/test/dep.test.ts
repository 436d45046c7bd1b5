import { Hello } from "@tta/core"
import { expect, it } from "vitest"

it("resolves core from source", () => {
  expect(typeof Hello.hello).toBe("function")
})
