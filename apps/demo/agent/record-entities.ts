// Agent code: record the incident and the services it affects in the memory server's knowledge graph.
import { createEntities, createRelations } from "./servers/memory/index.ts"

const input = __INPUT__ as {
  incident: string
  report: string
  services: Array<{ name: string; severity: string; summary: string }>
}
const created = await createEntities({
  entities: [
    {
      name: input.incident,
      entityType: "incident",
      observations: [
        `report: ${input.report}`,
        ...input.services.map((s) => `${s.name}: ${s.severity}, ${s.summary}`)
      ]
    },
    ...input.services.map((s) => ({
      name: s.name,
      entityType: "service",
      observations: [`first seen in ${input.incident}`]
    }))
  ]
})
await createRelations({
  relations: input.services.map((s) => ({
    from: input.incident,
    to: s.name,
    relationType: `affects (${s.severity})`
  }))
})
export default { created: created.entities.map((e) => e.name), relations: input.services.length }
