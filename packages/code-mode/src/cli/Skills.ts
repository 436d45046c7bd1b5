/** `tta skills ls|show|rm`: the saved skills under `--dir`, read and removed without any server. */
import { resolve } from "node:path"
import { SkillStore as Skills } from "@tta/skills"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { oneLine, out } from "./Output.ts"
import { root } from "./Root.ts"

const skillsLayer = (dir: string) => Skills.SkillStore.layerNode({ root: resolve(dir) })

const ls = Command.make("ls", {}, () =>
  Effect.gen(function* () {
    const { dir, json: asJson } = yield* root
    const list = yield* Skills.SkillStore.use((s) => s.list()).pipe(Effect.provide(skillsLayer(dir)))
    if (asJson) return yield* out(JSON.stringify(list))
    if (list.length === 0) return yield* out("no skills")
    for (const s of list) {
      yield* out(
        `${s.name}  v${s.chosen}/${s.latest}  runs ${s.runs} (failures ${s.failures})  ${s.description}`
      )
    }
  }).pipe(oneLine)
).pipe(Command.withDescription("List saved skills"))

const show = Command.make("show", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const { dir, json: asJson } = yield* root
    const skill = yield* Skills.SkillStore.use((s) => s.get(name)).pipe(Effect.provide(skillsLayer(dir)))
    if (asJson) return yield* out(JSON.stringify(skill))
    yield* out(`# ${skill.name} v${skill.version} (latest v${skill.latest})\n${skill.description}\n`)
    yield* out(skill.code)
  }).pipe(oneLine)
).pipe(Command.withDescription("Show a skill's chosen version"))

const rm = Command.make("rm", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const { dir } = yield* root
    yield* Skills.SkillStore.use((s) => s.remove(name)).pipe(Effect.provide(skillsLayer(dir)))
    yield* out(`removed ${name}`)
  }).pipe(oneLine)
).pipe(Command.withDescription("Remove a skill and all its versions"))

export const skills = Command.make("skills").pipe(
  Command.withSubcommands([ls, show, rm]),
  Command.withDescription("Manage saved skills")
)
