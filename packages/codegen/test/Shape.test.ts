import { describe, expect, it } from "vitest"
import * as Shape from "../src/Shape.ts"
import { generateSync } from "../src/Tree.ts"

const orders = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from
    return {
      orderId: i,
      customerEmail: `customer${i}@example.org`,
      totalCents: 100 * i,
      status: i % 2 ? "paid" : "open",
      ...(i % 3 === 0 ? { note: `note for ${i}` } : {})
    }
  })

describe("Shape (learned output types)", () => {
  it("infers fields, optional fields and enums from several results, and never a value", () => {
    const learned = Shape.learn(Shape.learn(undefined, orders(5)), orders(5, 5))
    expect(learned.samples).toBe(2)
    const text = Shape.renderLearned(learned)
    expect(text).toBe(
      '{\n  customerEmail: string\n  note?: string\n  orderId: number\n  status: "open" | "paid"\n  totalCents: number\n}[]'
    )
    expect(text).not.toMatch(/example\.org|note for/)
  })

  it("shows no enum from a single result", () => {
    expect(Shape.renderLearned(Shape.learn(undefined, orders(20)))).toMatch(/status: string/)
  })

  it("turns objects keyed by data into records, so keys never leak", () => {
    const byEmail = { "ann@example.org": { visits: 3 }, "bob@example.org": { visits: 1 } }
    expect(Shape.renderLearned(Shape.learn(undefined, byEmail))).toBe(
      "Record<string, {\n  visits: number\n}>"
    )
  })

  it("merges different kinds into a union and keeps nulls", () => {
    const learned = Shape.learn(Shape.learn(undefined, { rows: [1, 2], next: null }), {
      rows: ["a"],
      next: "c2"
    })
    expect(Shape.renderLearned(learned)).toBe("{\n  next: null | string\n  rows: Array<number | string>\n}")
  })

  it("puts the learned type in the generated file of a tool without outputSchema", () => {
    const learnedOutput = Shape.learn(Shape.learn(undefined, { count: 1, rows: [{ id: 1 }] }), {
      count: 2,
      rows: []
    })
    const tree = generateSync({
      servers: [{ name: "db", tools: [{ name: "query", inputSchema: { type: "object" }, learnedOutput }] }]
    })
    const file = tree["servers/db/query.ts"]!
    expect(file).toContain("/** Inferred from 2 results: the tool declares no output schema. */")
    expect(file).toContain(
      "export type QueryOutput = {\n  count: number\n  rows: {\n    id: number\n  }[]\n}"
    )
  })
})
