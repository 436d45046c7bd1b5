/**
 * The error-history check: reuse the saved `error-history` skill if there is one, else discover the
 * API, run the scan the agent wrote (it pulls tens of thousands of points and reduces them in the
 * sandbox) and save it as the skill.
 */
import { CodeMode } from "@tta/code-mode"
import { branch, type Primitive, sequence, step, tap, WorkflowContext } from "@tta/core"
import { Effect } from "effect"
import * as Agent from "../Agent.ts"
import { type AgentContext, type AgentError, agentStep } from "../AgentStep.ts"
import { emit } from "../Progress.ts"
import { defaultRequest, type TriageRequest } from "./Request.ts"

export interface ServiceHistory {
  readonly service: string
  readonly peak: number
  readonly minutesAbove: number
  readonly lastAbove: string | null
}
export interface HistoryScan {
  readonly points: number
  readonly services: ReadonlyArray<ServiceHistory>
}

export const SKILL = "error-history"

/** The agent's code failing, or the saved skill's docs missing or its code not type-checking. */
export type HistoryError = AgentError | CodeMode.ApiFileNotFound | CodeMode.SkillTypeError

const historySummary = (h: HistoryScan) =>
  `${h.points.toLocaleString("en-US")} points reduced in the sandbox; peaked above 5%: ${
    h.services
      .filter((s) => s.peak > defaultRequest.threshold)
      .map((s) => s.service)
      .join(", ") || "none"
  }`

export const makeErrorHistory = (): Primitive.Primitive<
  TriageRequest,
  HistoryScan,
  HistoryError,
  AgentContext
> => {
  const discover = step("discover-api", (request: TriageRequest) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const codeMode = yield* CodeMode.CodeMode
      const hits = yield* codeMode.searchTools("error rate over a time range", { detail: "full", limit: 1 })
      yield* emit(
        ctx,
        "discover-api",
        "info",
        `search_tools → ${hits.map((h) => h.path).join(", ")} (read in full)`
      )
      return request
    })
  )
  // The first time, the agent's code is the function plus a call to it; once it worked, it is saved.
  const scanAndSave = agentStep<TriageRequest, HistoryScan>("scan-error-history", "error-history.ts", {
    code: (request) =>
      `${Agent.source("error-history.ts")}\nexport default await scanErrorHistory(${JSON.stringify(request)})\n`,
    summary: historySummary
  }).pipe(
    tap(() =>
      Effect.gen(function* () {
        const ctx = yield* WorkflowContext
        const codeMode = yield* CodeMode.CodeMode
        const saved = yield* codeMode.saveSkill({
          name: SKILL,
          description:
            "Error-rate history of every service over a window: peak, minutes above a threshold, last time above",
          code: Agent.asSkill(Agent.source("error-history.ts")),
          tags: ["metrics", "errors", "triage"]
        })
        yield* emit(
          ctx,
          "save-skill",
          "info",
          `saved skill ${saved.name} v${saved.version} (skills/${saved.name}/index.ts)`
        )
      })
    )
  )
  const readSkill = step("read-skill", (request: TriageRequest) =>
    Effect.gen(function* () {
      const ctx = yield* WorkflowContext
      const codeMode = yield* CodeMode.CodeMode
      const doc = yield* codeMode.readApi(`skills/${SKILL}/SKILL.md`)
      yield* emit(ctx, "read-skill", "info", `skills/${SKILL}/SKILL.md (${doc.length} chars) → reuse it`)
      return request
    })
  )
  const viaSkill = agentStep<TriageRequest, HistoryScan>("error-history-via-skill", "use-skill.ts", {
    input: (request) => request,
    summary: historySummary
  })
  const hasSkill = (_: TriageRequest) =>
    Effect.map(
      CodeMode.CodeMode.use((codeMode) => codeMode.listSkills("error history")),
      (skills) => skills.some((s) => s.name === SKILL)
    )
  return branch(hasSkill, sequence(readSkill, viaSkill), sequence(discover, scanAndSave), {
    name: "saved skill?"
  })
}
