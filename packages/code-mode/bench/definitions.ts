// What the gateway's five tools cost a model before any work: their definitions as a model API
// receives them (name, description, input_schema), counted with o200k as the token bench prices them.
// Run: node --conditions=@tta/source bench/definitions.ts
import { TokenAccount } from "@tta/observability"
import * as Anthropic from "../src/adapters/Anthropic.ts"
import type { ExecuteOutcome } from "../src/CodeMode.ts"
import * as Responses from "../src/gateway/Responses.ts"
import { Gateway } from "../src/index.ts"

// Measured by this script at main 3a6d8c2, before the definitions were trimmed (issue 17).
const baseline = 547
const goal = 300

const rows = Gateway.tools.map((t) => [t.name, TokenAccount.count(TokenAccount.definitionText(t))] as const)
const total = rows.reduce((n, [, tokens]) => n + tokens, 0)
for (const [name, tokens] of rows) console.log(`  ${name.padEnd(13)} ${tokens}`)
console.log(
  `gateway tool definitions: ${total} o200k tokens (goal <= ${goal}; ${baseline} before, ${((total / baseline) * 100).toFixed(0)}% of it); ` +
    `server instructions: ${TokenAccount.count(Gateway.instructions)} tokens`
)

// The agent-SDK adapters offer three of them, from the same definitions (before: their own copies,
// 337 tokens at main 704983d, measured by this script's formula on Anthropic.tools).
const adapters = Anthropic.tools.reduce(
  (n, t) =>
    n +
    TokenAccount.count(
      TokenAccount.definitionText({
        name: t.name,
        description: t.description,
        inputSchema: t.input_schema
      })
    ),
  0
)
console.log(
  `adapter tool definitions (search_tools, read_api, execute): ${adapters} o200k tokens (337 before)`
)

// What execute's answer costs a model for a typical returned value (20 rows of 4 fields): the value
// as compact JSON, against the indented JSON it was (same text otherwise).
const value = Array.from({ length: 20 }, (_, i) => ({
  service: `svc-${i}`,
  errorRate: Math.round(i * 12.3) / 1000,
  peak: Math.round(i * 50) / 1000,
  severity: i % 3 === 0 ? "warning" : "ok"
}))
const outcome = {
  value,
  logs: [],
  toolCalls: [],
  durationMs: 12,
  truncated: false
} as unknown as ExecuteOutcome
const answer = (Responses.execute(outcome, { verbose: false }).content[0] as { text: string }).text
const compact = TokenAccount.count(answer)
const indented = TokenAccount.count(
  answer.replace(`value: ${JSON.stringify(value)}`, `value: ${JSON.stringify(value, null, 2)}`)
)
console.log(
  `execute answer, 20 rows of 4 fields: ${compact} o200k tokens (indented JSON before: ${indented}; ${(compact / indented).toFixed(2)}x)`
)
