// node examples/basic.ts: save a skill twice, record runs, find it again, mount it.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { SkillStore } from "../src/index.ts" // "@tta/skills" outside this repo

const program = Effect.gen(function* () {
  const skills = yield* SkillStore.SkillStore
  const saved = yield* skills.save({
    name: "top-issues",
    description: "List the most commented open issues of a GitHub repository",
    tags: ["github", "issues"],
    usage: "Pass `owner/repo`; returns at most `limit` issues, most comments first.",
    code: `import { listIssues } from "../../servers/github/index.ts"

export async function topIssues(repo: string, limit = 5): Promise<Array<{ title: string; comments: number }>> {
  const issues = await listIssues({ repo, state: "open" })
  return issues.sort((a, b) => b.comments - a.comments).slice(0, limit)
}
`
  })
  yield* skills.recordRun("top-issues", saved.version, { ok: true, durationMs: 412 })
  const [hit] = yield* skills.search("github issues")
  const best = yield* skills.get("top-issues", { version: "best" })
  const files = yield* skills.files() // mount in the sandbox: ./skills/top-issues/index.ts
  console.log(hit?.name, best.version, best.signatures[0], Object.keys(files))
})

const root = mkdtempSync(join(tmpdir(), "skills-example-"))
await Effect.runPromise(program.pipe(Effect.provide(SkillStore.SkillStore.layerNode({ root }))))
rmSync(root, { recursive: true, force: true })
