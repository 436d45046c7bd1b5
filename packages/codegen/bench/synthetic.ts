// A synthetic 1,000-tool catalog built from the real-world schemas in test/fixtures: each tool
// keeps a real input (and output) schema and description, under a new name on one of 20 servers.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { Catalog, Tool } from "../src/Catalog.ts"

const fixtures = join(import.meta.dirname, "..", "test", "fixtures")

export const realTools = (): ReadonlyArray<Tool> =>
  readdirSync(fixtures)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap(
      (f) => (JSON.parse(readFileSync(join(fixtures, f), "utf8")) as { tools: ReadonlyArray<Tool> }).tools
    )

const domains = [
  "crm",
  "billing",
  "tickets",
  "docs",
  "calendar",
  "storage",
  "analytics",
  "deploy",
  "search",
  "chat",
  "wiki",
  "hr",
  "inventory",
  "orders",
  "email",
  "maps",
  "metrics",
  "logs",
  "auth",
  "payments"
]

export const syntheticCatalog = (size = 1000): Catalog => {
  const real = realTools()
  const perServer = Math.ceil(size / domains.length)
  return {
    servers: domains.map((domain, s) => ({
      name: `${domain}-service`,
      tools: Array.from({ length: Math.max(0, Math.min(perServer, size - s * perServer)) }, (_, i) => {
        const base = real[(s * perServer + i) % real.length]!
        return {
          ...base,
          name: `${domain}_${base.name}_${i}`,
          description: `${domain} service: ${base.description ?? base.name}`
        }
      })
    }))
  }
}
