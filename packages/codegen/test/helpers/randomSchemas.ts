// Seeded random JSON Schemas, valid and not, to show the converter never throws and its output
// always compiles.
import type { Catalog } from "../../src/Catalog.ts"

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export const randomCatalog = (seed: number, tools: number): Catalog => {
  const rnd = mulberry32(seed)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rnd() * xs.length)]!
  const names = [
    "id",
    "name",
    "a b",
    "x-y",
    "class",
    "__proto__",
    "constructor",
    "0",
    "é",
    "*/",
    "$ref",
    "type"
  ]
  const garbage = [42, "str", null, [], [1, 2], true, false, { type: 7 }, { enum: "x" }, { $ref: "#/nope" }]
  const schema = (depth: number): unknown => {
    if (depth > 4 || rnd() < 0.15) return pick(garbage)
    switch (Math.floor(rnd() * 12)) {
      case 0:
        return { type: pick(["string", "number", "integer", "boolean", "null", "weird"]) }
      case 1:
        return { enum: [pick(["a", 1, null, true]), pick(["b", 2.5, false, { k: 1 }])] }
      case 2:
        return { const: pick(["c", 0, null, [1, "x"], { "a-b": 1 }]) }
      case 3:
        return { anyOf: [schema(depth + 1), schema(depth + 1)] }
      case 4:
        return { oneOf: [schema(depth + 1), schema(depth + 1)], nullable: rnd() < 0.5 }
      case 5:
        return { allOf: [schema(depth + 1), schema(depth + 1)] }
      case 6:
        return { type: "array", items: schema(depth + 1), minItems: Math.floor(rnd() * 3) }
      case 7:
        return {
          type: "array",
          prefixItems: [schema(depth + 1), schema(depth + 1)],
          items: pick([false, true, { type: "string" }])
        }
      case 8:
        return {
          type: ["object", "null"],
          additionalProperties: pick([true, false, schema(depth + 1)]),
          properties: props(depth + 1)
        }
      case 9:
        return {
          $ref: pick(["#", "#/$defs/A", "#/$defs/B", "#/properties/id", "#/$defs/Missing", "other.json"])
        }
      case 10:
        return {
          type: "object",
          properties: props(depth + 1),
          required: [pick(names), pick(names)],
          patternProperties: { "^x": schema(depth + 1) }
        }
      default:
        return {
          description: pick(["plain", "ends */ early", "line\nbreak\u2028sep"]),
          not: schema(depth + 1)
        }
    }
  }
  const props = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    const n = Math.floor(rnd() * 4)
    for (let i = 0; i < n; i++) out[pick(names)] = schema(depth)
    return out
  }
  return {
    servers: [
      {
        name: `random ${seed}`,
        tools: Array.from({ length: tools }, (_, i) => ({
          name: `${pick(["get", "list", "delete", "index", "do"])}_${i}`,
          inputSchema: {
            type: "object",
            properties: props(0),
            $defs: { A: schema(1), B: { type: "object", properties: { next: { $ref: "#/$defs/B" } } } }
          },
          ...(rnd() < 0.3 ? { outputSchema: { type: "object", properties: props(0) } } : {})
        }))
      }
    ]
  }
}
