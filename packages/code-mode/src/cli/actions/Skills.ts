/** The work of `tta skills`: the skill store under `--dir`. */
import { resolve } from "node:path"
import { SkillStore as Skills } from "@tta/skills"
import * as Effect from "effect/Effect"
import { out } from "../Output.ts"

interface Flags {
  readonly dir: string
  readonly json: boolean
}

const store = (dir: string) => Skills.SkillStore.layerNode({ root: resolve(dir) })

export const ls = (flags: Flags) =>
  Effect.gen(function* () {
    const list = yield* Skills.SkillStore.use((s) => s.list()).pipe(Effect.provide(store(flags.dir)))
    if (flags.json) return yield* out(JSON.stringify(list))
    if (list.length === 0) return yield* out("no skills")
    for (const s of list) {
      yield* out(
        `${s.name}  v${s.chosen}/${s.latest}  runs ${s.runs} (failures ${s.failures})  ${s.description}`
      )
    }
  })

export const show = (flags: Flags & { readonly name: string }) =>
  Effect.gen(function* () {
    const skill = yield* Skills.SkillStore.use((s) => s.get(flags.name)).pipe(
      Effect.provide(store(flags.dir))
    )
    if (flags.json) return yield* out(JSON.stringify(skill))
    yield* out(`# ${skill.name} v${skill.version} (latest v${skill.latest})\n${skill.description}\n`)
    yield* out(skill.code)
  })

export const rm = (flags: Flags & { readonly name: string }) =>
  Effect.gen(function* () {
    yield* Skills.SkillStore.use((s) => s.remove(flags.name)).pipe(Effect.provide(store(flags.dir)))
    yield* out(`removed ${flags.name}`)
  })
