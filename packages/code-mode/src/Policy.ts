/**
 * Per-call policy for tool calls made from inside sandboxed code: deny, approve and allow lists of
 * `server/tool` glob patterns, optionally narrowed by the tool's MCP annotations.
 */
import { Context, Effect, Glob, Schema } from "effect"

export type Decision = "allow" | "deny" | "approve"

/** A rule: a `server/tool` glob (`filesystem/write_*`, `*\/delete_*`) or that plus annotation tests. */
export type Rule =
  | string
  | {
      readonly tool: string
      readonly readOnly?: boolean
      readonly destructive?: boolean
    }

export interface PolicyConfig {
  readonly deny?: ReadonlyArray<Rule>
  readonly approve?: ReadonlyArray<Rule>
  readonly allow?: ReadonlyArray<Rule>
  /** What happens to a call no rule matches. Default `allow`. */
  readonly default?: Decision
}

export interface ToolAnnotations {
  readonly readOnlyHint?: boolean | undefined
  readonly destructiveHint?: boolean | undefined
}

export interface CallRequest {
  readonly server: string
  readonly tool: string
  /** The arguments as the code passed them (approvers show them; durable approvals name them). */
  readonly args?: unknown
  readonly annotations?: ToolAnnotations | undefined
}

export interface Verdict {
  readonly decision: Decision
  /** The rule that decided, as written in the config, or `default`. */
  readonly rule: string
}

export class PolicyDeniedError extends Schema.TaggedError<PolicyDeniedError>()("PolicyDeniedError", {
  server: Schema.String,
  tool: Schema.String,
  rule: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Tool call ${this.server}/${this.tool} was denied by policy (${this.rule}): ${this.reason}`
  }
}

export class PolicyConfigError extends Schema.TaggedError<PolicyConfigError>()("PolicyConfigError", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid policy at ${this.field}: ${this.reason}`
  }
}

interface CompiledRule {
  readonly text: string
  readonly glob: Glob.Glob
  readonly readOnly: boolean | undefined
  readonly destructive: boolean | undefined
}

export interface Policy {
  readonly check: (request: CallRequest) => Verdict
}

const ruleText = (rule: Rule): string =>
  typeof rule === "string"
    ? rule
    : [
        rule.tool,
        rule.readOnly === undefined ? "" : `readOnly=${rule.readOnly}`,
        rule.destructive === undefined ? "" : `destructive=${rule.destructive}`
      ]
        .filter((s) => s !== "")
        .join(" ")

const compileRule = (rule: Rule, field: string): Effect.Effect<CompiledRule, PolicyConfigError> => {
  const pattern = typeof rule === "string" ? rule : rule.tool
  if (typeof pattern !== "string" || pattern.length === 0) {
    return Effect.fail(
      new PolicyConfigError({ field, reason: "a rule needs a non-empty `server/tool` pattern" })
    )
  }
  if (!pattern.includes("/")) {
    return Effect.fail(
      new PolicyConfigError({
        field,
        reason: `pattern "${pattern}" must name server and tool as "server/tool"`
      })
    )
  }
  return Effect.try({
    try: () => ({
      text: ruleText(rule),
      glob: Glob.make(pattern, { dot: true }),
      readOnly: typeof rule === "string" ? undefined : rule.readOnly,
      destructive: typeof rule === "string" ? undefined : rule.destructive
    }),
    catch: (e) => new PolicyConfigError({ field, reason: `pattern "${pattern}": ${String(e)}` })
  })
}

// MCP spec defaults: readOnlyHint false; destructiveHint true, meaningful only when not read-only.
const readOnlyOf = (a: ToolAnnotations | undefined) => a?.readOnlyHint ?? false
const destructiveOf = (a: ToolAnnotations | undefined) => !readOnlyOf(a) && (a?.destructiveHint ?? true)

const matches = (rule: CompiledRule, request: CallRequest): boolean =>
  Glob.match(rule.glob, `${request.server}/${request.tool}`) &&
  (rule.readOnly === undefined || rule.readOnly === readOnlyOf(request.annotations)) &&
  (rule.destructive === undefined || rule.destructive === destructiveOf(request.annotations))

/** Compiles a policy; deny rules win over approve, approve over allow, then the default. */
export const make = Effect.fnUntraced(function* (config: PolicyConfig) {
  const lists = [] as Array<{ decision: Decision; rules: ReadonlyArray<CompiledRule> }>
  for (const decision of ["deny", "approve", "allow"] as const) {
    const rules = config[decision] ?? []
    const compiled: Array<CompiledRule> = []
    for (const [i, rule] of rules.entries()) compiled.push(yield* compileRule(rule, `${decision}[${i}]`))
    lists.push({ decision, rules: compiled })
  }
  const fallback = config.default ?? "allow"
  if (!["allow", "deny", "approve"].includes(fallback)) {
    return yield* new PolicyConfigError({
      field: "default",
      reason: `"${fallback}" is not allow, deny or approve`
    })
  }
  const check = (request: CallRequest): Verdict => {
    for (const list of lists) {
      const hit = list.rules.find((rule) => matches(rule, request))
      if (hit) return { decision: list.decision, rule: `${list.decision}: ${hit.text}` }
    }
    return { decision: fallback, rule: "default" }
  }
  return { check } satisfies Policy
})

/** Allows everything; the policy of a session that configured none. */
export const allowAll: Policy = { check: () => ({ decision: "allow", rule: "default" }) }

/**
 * Who decides calls a policy marks `approve`, for the current request. The gateway provides one that
 * asks the MCP client (elicitation) when the client supports it; without one, such calls are denied.
 */
export const Approver = Context.Reference<((request: CallRequest) => Effect.Effect<boolean>) | undefined>(
  "@tta/code-mode/Policy/Approver",
  { defaultValue: () => undefined }
)

/**
 * Decides one call: allowed by the policy, or marked `approve` and approved by `approve` (else the
 * request's `Approver`); anything else is the `PolicyDeniedError` saying which rule and why.
 */
export const decide = (
  policy: Policy,
  request: CallRequest,
  approve?: ((request: CallRequest) => Effect.Effect<boolean>) | undefined
): Effect.Effect<PolicyDeniedError | undefined> =>
  Effect.gen(function* () {
    const verdict = policy.check(request)
    const approver = approve ?? (yield* Approver)
    const approved =
      verdict.decision === "allow" ||
      (verdict.decision === "approve" && approver !== undefined && (yield* approver(request)))
    if (approved) return undefined
    return new PolicyDeniedError({
      server: request.server,
      tool: request.tool,
      rule: verdict.rule,
      reason: verdict.decision === "approve" ? "needs approval and none was given" : "not allowed"
    })
  })
