/**
 * The worker process of `pnpm demo --crash`: starts the servers and runs (or resumes) ONE durable
 * triage on the embedded store under `--dir`, printing one line per event for the parent:
 *
 *   EVENT <StepEvent>   a step finished (only steps that really run print: journaled ones are skipped)
 *   RESULT <json>       the triage finished        FAILED <json>   it failed
 *
 *   node --no-node-snapshot apps/demo/src/worker.ts --dir <root> --key <execution key> [--flaky-health]
 *
 * Paging on-call needs a person's approval here (policy `approve: everything/echo`): the run waits
 * until someone runs `tta workflows approve …`.
 */
import { join } from "node:path"
import { Stack } from "@tta/code-mode"
import { Store } from "@tta/durable"
import { McpConfig } from "@tta/mcp"
import { Observability } from "@tta/observability"
import { Effect, Exit, Layer } from "effect"
import { crashRunId, runDurably } from "./DurableRun.ts"
import { Progress } from "./Progress.ts"
import { makeDirs, mcpServers } from "./Servers.ts"
import { defaultRequest, makeTriage } from "./Triage.ts"

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const line = (tag: string, value: unknown) => process.stdout.write(`${tag} ${JSON.stringify(value)}\n`)

const dirs = makeDirs(arg("--dir"))
const key = arg("--key") ?? crashRunId

const stack = Layer.unwrap(
  Effect.map(McpConfig.decode({ mcpServers: mcpServers(dirs) }), (config) =>
    Stack.layer(config, { dir: dirs.session, policy: { approve: ["everything/echo"] } })
  )
)
const services = Layer.mergeAll(
  stack,
  Observability.memory("tta-demo-worker"),
  Progress.layer((event) => line("EVENT", event))
)

const program = Effect.gen(function* () {
  // --flaky-health: the check keeps failing and retrying, so a kill after its first failure is
  // sure to land inside it (a second worker, without the flag, gets through on the third attempt).
  const flaky = process.argv.includes("--flaky-health")
  const triage = makeTriage({
    reportDir: join(dirs.files, "reports"),
    approvals: true,
    healthCheck: flaky ? { failFirst: 1_000_000, retries: 1_000_000 } : undefined
  })
  const exit = yield* runDurably(triage, defaultRequest, {
    store: Store.embedded({ path: join(dirs.root, "durable.db") }),
    runId: crashRunId,
    key
  })
  if (Exit.isSuccess(exit)) line("RESULT", exit.value)
  else
    line(
      "FAILED",
      exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : String(r)))
    )
})

Effect.runPromise(Effect.provide(program, services) as Effect.Effect<void, unknown>).then(
  () => process.exit(0),
  (error) => {
    line("FAILED", [String((error as { message?: string })?.message ?? error)])
    process.exit(1)
  }
)
