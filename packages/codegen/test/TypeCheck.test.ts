// Every generated tree must type-check under the workspace's strict settings, with the real tsc.
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { Server, Tool } from "../src/Catalog.ts"
import { generateSync } from "../src/Tree.ts"
import { features } from "./helpers/features.ts"
import { liveServers } from "./helpers/liveCatalogs.ts"
import { randomCatalog } from "./helpers/randomSchemas.ts"
import { fixture, typecheck } from "./helpers/typecheck.ts"

interface Fixture {
  readonly package: string
  readonly version: string
  readonly server: string
  readonly captured: string
  readonly tools: ReadonlyArray<Tool>
}

const fixtures: ReadonlyArray<Fixture> = readdirSync(join(import.meta.dirname, "fixtures"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => fixture<Fixture>(f))

const TIMEOUT = 120_000

describe("generated trees type-check", () => {
  let live: ReadonlyArray<Server> = []
  beforeAll(async () => {
    live = await liveServers()
  }, TIMEOUT)

  it(
    "live catalogs of server-everything, server-filesystem and server-memory",
    async () => {
      expect(live.map((s) => s.name)).toEqual(["everything", "filesystem", "memory"])
      for (const s of live) expect(s.tools.length).toBeGreaterThan(5)
      const tree = generateSync({ servers: live })
      expect(tree["servers/everything/getSum.ts"]).toContain(
        `$callTool<GetSumOutput>("everything", "get-sum", input)`
      )
      expect(tree["servers/filesystem/listDirectory.ts"]).toContain(`"filesystem", "list_directory"`)
      expect(tree["servers/memory/createEntities.ts"]).toContain("export interface CreateEntitiesOutput")
      const result = await typecheck(tree)
      expect(result.output).toBe("")
      expect(result.ok).toBe(true)
    },
    TIMEOUT
  )

  it(
    "a corpus of real-world tool schemas from published MCP servers",
    async () => {
      const tools = fixtures.reduce((n, f) => n + f.tools.length, 0)
      expect(tools).toBeGreaterThanOrEqual(20)
      for (const f of fixtures) {
        expect(f.package).toMatch(/^@?[a-z0-9-]+(\/[a-z0-9-]+)?$/)
        expect(f.version).toMatch(/^\d+\.\d+\.\d+/)
      }
      const tree = generateSync({ servers: fixtures.map((f) => ({ name: f.server, tools: f.tools })) })
      expect(
        Object.keys(tree).filter((p) => !p.endsWith("index.ts") && !p.endsWith("_runtime.ts"))
      ).toHaveLength(tools)
      const result = await typecheck(tree)
      expect(result.output).toBe("")
      expect(result.ok).toBe(true)
    },
    TIMEOUT
  )

  it(
    "every JSON Schema feature, hostile names and malformed schemas; types accept and reject what the schema says",
    async () => {
      const tree = generateSync(features)
      // `@ts-expect-error` fails the check when the line after it does NOT error.
      const agent = `
import {
  arrays, bare, literals, maps, noParams, nullables, selfRef, treeNodes, unions, unsupported,
  type MapsOutput, type TreeNodesInput
} from "./servers/schema-features/index.ts"
import * as names from "./servers/names-v2-server_2/index.ts"
import { namesV2Server, schemaFeatures } from "./servers/index.ts"

const node: TreeNodesInput = { root: { value: "a", children: [{ value: "b", children: [] }] }, legacy: 3 }
await treeNodes(node)
// @ts-expect-error children need a value
await treeNodes({ root: { value: "a", children: [{}] } })
await selfRef({ name: "x", parent: { name: "y", parent: { name: "z" } } })
// @ts-expect-error parent is the input type again
await selfRef({ name: "x", parent: { nom: "y" } })
await unions({ any: 1, one: { kind: "a", a: "s" }, all: { x: 1, y: 2 } })
// @ts-expect-error kind "b" carries b
await unions({ any: "s", one: { kind: "b", a: "s" }, all: { x: 1, y: 2 } })
// @ts-expect-error allOf needs both parts
await unions({ any: "s", one: { kind: "a", a: "s" }, all: { x: 1 } })
await literals({ color: "red", fixed: "v1", level: null, shape: { kind: "circle", r: [1, 2] } })
// @ts-expect-error not in the enum
await literals({ color: "blue", fixed: "v1" })
// @ts-expect-error const
await literals({ color: "red", fixed: "v2" })
await nullables({ openapi: null, list: "x", multi: true })
// @ts-expect-error multi is not nullable
await nullables({ openapi: null, list: null, multi: null })
await arrays({ point: [1, 2], legacyTuple: ["a", true, 1, 2], mixed: ["a", 1], matrix: [[1]] })
// @ts-expect-error a point has two numbers
await arrays({ point: [1] })
// @ts-expect-error extra tuple items are numbers
await arrays({ point: [1, 2], legacyTuple: ["a", true, "x"] })
const out: MapsOutput = await maps({ env: { A: "1" }, mixed: { count: 1, other: "s" }, patterns: { "x-a": true } })
const ok: boolean = out.ok
// @ts-expect-error env values are strings
await maps({ env: { A: 1 } })
// @ts-expect-error additionalProperties: false
await maps({ env: {}, closed: { b: "x" } })
await noParams()
await bare()
await unsupported({ external: { anything: true }, cyclic: { self: 1 } })
await names.delete_({})
await names.index_()
await names.callTool()
await names.tool()
await names.promise()
await names._2fa()
await names.listDirectory()
await names.listDirectory_2()
await names.listDirectory_3()
await namesV2Server.ping()
await schemaFeatures.treeNodes({ root: { value: "x" } })
export default ok
`
      expect(tree["servers/names-v2-server_2/index_.ts"]).toContain(`"names.v2 server", "index", input`)
      expect(tree["servers/names-v2-server_2/listDirectory_3.ts"]).toContain(`"list_directory"`)
      const result = await typecheck({ ...tree, "agent.ts": agent })
      expect(result.output).toBe("")
      expect(result.ok).toBe(true)
    },
    TIMEOUT
  )

  it(
    "agent code importing from the tree type-checks, and a wrong argument type fails tsc",
    async () => {
      const tree = generateSync({ servers: live })
      const good = `
import { getSum } from "./servers/everything/index.ts"
import { listDirectory, readTextFile } from "./servers/filesystem/index.ts"
import { memory } from "./servers/index.ts"

const listing = await listDirectory({ path: "/tmp" })
const head = await readTextFile({ path: "/tmp/notes.txt", head: 5 })
const sum = await getSum({ a: 1, b: 2 })
const graph = await memory.createEntities({ entities: [{ name: "a", entityType: "t", observations: [] }] })
const names: string[] = graph.entities.map((e) => e.name)
export default { listing, head, sum, names }
`
      const goodResult = await typecheck({ ...tree, "agent.ts": good })
      expect(goodResult.output).toBe("")
      expect(goodResult.ok).toBe(true)

      const bad = `
import { getSum } from "./servers/everything/index.ts"
export default await getSum({ a: "1", b: 2 })
`
      const badResult = await typecheck({ ...tree, "agent.ts": bad })
      expect(badResult.ok).toBe(false)
      expect(badResult.output).toMatch(
        /^agent\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/m
      )
    },
    TIMEOUT
  )

  it(
    "hundreds of random, partly malformed schemas never throw and always compile",
    async () => {
      for (const seed of [1, 2, 3]) {
        const catalog = randomCatalog(seed, 150)
        const tree = generateSync(catalog)
        const result = await typecheck(tree)
        expect(result.output).toBe("")
        expect(result.ok).toBe(true)
      }
    },
    TIMEOUT
  )
})
