// A hand-written catalog that exercises every JSON Schema feature the converter claims, plus
// hostile names and malformed schemas that must degrade to `unknown` rather than crash.
import type { Catalog } from "../../src/Catalog.ts"

const cyclic: Record<string, unknown> = { type: "object", properties: {} }
;(cyclic.properties as Record<string, unknown>).self = cyclic

let deep: Record<string, unknown> = { type: "string" }
for (let i = 0; i < 200; i++) deep = { type: "object", properties: { next: deep }, required: ["next"] }

export const features: Catalog = {
  servers: [
    {
      name: "schema features",
      tools: [
        {
          name: "tree_nodes",
          description: "Recursive $defs",
          inputSchema: {
            type: "object",
            properties: { root: { $ref: "#/$defs/Node" }, legacy: { $ref: "#/definitions/Leaf" } },
            required: ["root"],
            $defs: {
              Node: {
                type: "object",
                properties: {
                  value: { type: "string" },
                  children: { type: "array", items: { $ref: "#/$defs/Node" } }
                },
                required: ["value"]
              }
            },
            definitions: { Leaf: { type: "integer" } }
          }
        },
        {
          name: "self_ref",
          description: "Root recursion with $ref '#'",
          inputSchema: {
            type: "object",
            properties: { name: { type: "string" }, parent: { $ref: "#" } },
            required: ["name"]
          }
        },
        {
          name: "circular_alias",
          description: "A $def that is a union with itself cannot be a TS alias",
          inputSchema: {
            type: "object",
            properties: { a: { $ref: "#/$defs/A" } },
            $defs: { A: { anyOf: [{ $ref: "#/$defs/A" }, { type: "string" }] } }
          }
        },
        {
          name: "unions",
          inputSchema: {
            type: "object",
            properties: {
              any: { anyOf: [{ type: "string" }, { type: "number" }] },
              one: {
                oneOf: [
                  {
                    type: "object",
                    properties: { kind: { const: "a" }, a: { type: "string" } },
                    required: ["kind", "a"]
                  },
                  {
                    type: "object",
                    properties: { kind: { const: "b" }, b: { type: "number" } },
                    required: ["kind", "b"]
                  }
                ]
              },
              all: {
                allOf: [
                  { type: "object", properties: { x: { type: "number" } }, required: ["x"] },
                  { type: "object", properties: { y: { type: "number" } }, required: ["y"] }
                ]
              }
            },
            required: ["any", "one", "all"]
          }
        },
        {
          name: "literals",
          inputSchema: {
            type: "object",
            properties: {
              color: { type: "string", enum: ["red", "green"] },
              level: { enum: [1, 2, null] },
              fixed: { const: "v1" },
              shape: { const: { kind: "circle", r: [1, 2] } },
              none: { enum: [] }
            },
            required: ["color", "fixed"]
          }
        },
        {
          name: "nullables",
          inputSchema: {
            type: "object",
            properties: {
              openapi: { type: "string", nullable: true },
              list: { type: ["string", "null"] },
              multi: { type: ["integer", "boolean"] }
            },
            required: ["openapi", "list"]
          }
        },
        {
          name: "arrays",
          inputSchema: {
            type: "object",
            properties: {
              tags: { type: "array", items: { type: "string" } },
              matrix: { type: "array", items: { type: "array", items: { type: "number" } } },
              mixed: { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
              point: {
                type: "array",
                prefixItems: [{ type: "number" }, { type: "number" }],
                items: false,
                minItems: 2
              },
              legacyTuple: {
                type: "array",
                items: [{ type: "string" }, { type: "boolean" }],
                additionalItems: { type: "number" },
                minItems: 1
              },
              anything: { type: "array" }
            },
            required: ["point"]
          }
        },
        {
          name: "maps",
          inputSchema: {
            type: "object",
            properties: {
              env: { type: "object", additionalProperties: { type: "string" } },
              closed: { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
              mixed: {
                type: "object",
                properties: { count: { type: "number" } },
                additionalProperties: { type: "string" }
              },
              patterns: { type: "object", patternProperties: { "^x-": { type: "boolean" } } },
              free: { type: "object" },
              "weird key": { type: "string", description: "ends a comment */ and\u2028continues" }
            },
            required: ["env"]
          },
          outputSchema: {
            type: "object",
            properties: { ok: { type: "boolean" } },
            required: ["ok"]
          }
        },
        {
          name: "unsupported",
          description: "Malformed and unsupported schemas */ must not break the file",
          inputSchema: {
            type: "object",
            properties: {
              external: { $ref: "https://example.com/schema.json" },
              anchor: { $ref: "#node" },
              dangling: { $ref: "#/$defs/Missing" },
              bogusType: { type: "bogus" },
              number: 42 as unknown as object,
              nothing: false as unknown as object,
              notKeyword: { not: { type: "string" } },
              badEnum: { enum: 3 },
              badAnyOf: { anyOf: {} },
              badRef: { $ref: 7 },
              cyclic,
              deep
            }
          }
        },
        { name: "no_params", inputSchema: { type: "object", properties: {} } },
        { name: "bare", inputSchema: {} }
      ]
    },
    {
      name: "names.v2 server",
      tools: [
        { name: "delete", description: "reserved word", inputSchema: { type: "object" } },
        { name: "index", description: "clashes with index.ts", inputSchema: { type: "object" } },
        { name: "list_directory", inputSchema: { type: "object" } },
        { name: "list-directory", inputSchema: { type: "object" } },
        { name: "listDirectory", inputSchema: { type: "object" } },
        {
          name: "call_tool",
          description: "same name as the runtime helper",
          inputSchema: { type: "object" }
        },
        { name: "2fa", inputSchema: { type: "object" } },
        { name: "\u{1F642}", inputSchema: { type: "object" } },
        { name: "Promise", description: "a global type name", inputSchema: { type: "object" } }
      ]
    },
    { name: "Names V2 Server", tools: [{ name: "ping", inputSchema: { type: "object" } }] },
    { name: "index", tools: [] }
  ]
}
