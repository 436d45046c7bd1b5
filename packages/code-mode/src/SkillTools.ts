/**
 * The session's skill operations: save (type-checked first against the API tree and the other
 * skills, so code that cannot run is never saved) and list (read counted in the token account).
 */
import type { SkillStore as Skills } from "@tta/skills"
import { Effect } from "effect"
import { CodeModeError, type SkillSummary, SkillTypeError } from "./CodeMode.ts"
import type * as Ledger from "./Ledger.ts"
import type * as TypeCheck from "./TypeCheck.ts"

export interface Deps {
  readonly skills: Skills.SkillStore["Service"]
  readonly checker: TypeCheck.Checker | undefined
  readonly mounted: Effect.Effect<Record<string, string>, CodeModeError>
  readonly ledger: Ledger.Ledger
}

const summary = (s: {
  name: string
  description: string
  tags: ReadonlyArray<string>
  chosen: number
  runs: number
  failures: number
}): SkillSummary => ({
  name: s.name,
  description: s.description,
  version: s.chosen,
  tags: s.tags,
  runs: s.runs,
  failures: s.failures
})

export const make = ({ skills, checker, mounted, ledger }: Deps) => {
  /** Type errors of a skill's code as mounted at `skills/<name>/index.ts`, beside the API and other skills. */
  const typeErrors = (name: string, code: string) =>
    Effect.gen(function* () {
      if (checker === undefined || !/^[a-z0-9][a-z0-9-]*$/.test(name)) return []
      const files = yield* mounted
      checker.setFiles(files)
      return checker.checkFile(`skills/${name}/index.ts`, code)
    })

  const saveSkill = Effect.fn("codeMode.saveSkill")(function* (input: {
    readonly name: string
    readonly description: string
    readonly code: string
    readonly tags?: ReadonlyArray<string>
  }) {
    const diagnostics = yield* typeErrors(input.name, input.code)
    if (diagnostics.length > 0) return yield* new SkillTypeError({ name: input.name, diagnostics })
    const saved = yield* skills
      .save({ name: input.name, description: input.description, code: input.code, tags: input.tags })
      .pipe(Effect.mapError((e) => new CodeModeError({ operation: "save_skill", message: e.message })))
    return summary({
      ...saved,
      chosen: saved.version,
      runs: saved.stats.runs,
      failures: saved.stats.failures
    })
  })

  const listSkills = Effect.fn("codeMode.listSkills")(function* (query: string | undefined) {
    const found = yield* (query && query.trim() !== "" ? skills.search(query) : skills.list()).pipe(
      Effect.mapError((e) => new CodeModeError({ operation: "list_skills", message: e.message }))
    )
    const list = found.map(summary)
    ledger.read(JSON.stringify(list))
    return list
  })

  return { saveSkill, listSkills }
}
