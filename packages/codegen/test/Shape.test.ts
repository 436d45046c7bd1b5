import { describe, expect, it } from "vitest"
import * as Shape from "../src/Shape.ts"
import { generateSync } from "../src/Tree.ts"
import { typecheck } from "./helpers/typecheck.ts"

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
      '{\n  customerEmail?: string\n  note?: string\n  orderId?: number\n  status?: "open" | "paid"\n  totalCents?: number\n  [field: string]: unknown\n}[]'
    )
    expect(text).not.toMatch(/example\.org|note for/)
  })

  it("shows no enum from a single result", () => {
    expect(Shape.renderLearned(Shape.learn(undefined, orders(20)))).toMatch(/status\?: string/)
  })

  it("turns objects keyed by data into records, so keys never leak", () => {
    const byEmail = { "ann@example.org": { visits: 3 }, "bob@example.org": { visits: 1 } }
    expect(Shape.renderLearned(Shape.learn(undefined, byEmail))).toBe(
      "Record<string, {\n  visits?: number\n  [field: string]: unknown\n}>"
    )
  })

  it("types rows whose columns depend on the call (SQL) as records, not as every column optional", () => {
    const revenue = [{ region: "emea", orders: 3, revenue_cents: 900 }]
    const refunds = [{ id: 7, amount_cents: 500 }]
    const exported = [{ id: 9, customer_id: 2, sku: "SKU-001", amount_cents: 10 }]
    const learned = [revenue, refunds, exported].reduce<Shape.Learned | undefined>(Shape.learn, undefined)!
    expect(Shape.renderLearned(learned)).toBe("Record<string, string | number>[]")
    // rows of one shape with an optional column stay an object type
    const same = Shape.learn(Shape.learn(undefined, [{ id: 1, note: "x" }]), [{ id: 2 }])
    expect(Shape.renderLearned(same)).toBe(
      "{\n  id?: number\n  note?: string\n  [field: string]: unknown\n}[]"
    )
  })

  it("merges different kinds into a union and keeps nulls", () => {
    const learned = Shape.learn(Shape.learn(undefined, { rows: [1, 2], next: null }), {
      rows: ["a"],
      next: "c2"
    })
    expect(Shape.renderLearned(learned)).toBe(
      "{\n  next?: null | string\n  rows?: Array<number | string>\n  [field: string]: unknown\n}"
    )
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
    expect(file).toContain("/** Inferred from 2 results (the tool declares no output schema)")
    expect(file).toContain(
      "export type QueryOutput = {\n  count?: number\n  rows?: {\n    id?: number\n    [field: string]: unknown\n  }[]\n  [field: string]: unknown\n}"
    )
  })

  it("keeps code type-checking when a later result has other fields (a SQL tool's rows depend on the query)", async () => {
    const learnedOutput = Shape.learn(Shape.learn(undefined, [{ customer_id: 1, total: 10 }]), [
      { customer_id: 2, total: 3 }
    ])
    const tree = generateSync({
      servers: [{ name: "pg", tools: [{ name: "query", inputSchema: { type: "object" }, learnedOutput }] }]
    })
    const agent = `import { query } from "./servers/pg/index.ts"
const seen = await query({ sql: "select customer_id, total from orders" })
const ids: Array<number | undefined> = seen.map((r) => r.customer_id)
const counts = (await query({ sql: "select status, count(*) as n from orders group by 1" })) as Array<{ status: string; n: number }>
export default { ids, counts }
`
    const result = await typecheck({ ...tree, "agent.ts": agent })
    expect(result.output).toBe("")
    expect(result.ok).toBe(true)
  }, 60_000)
})
