/**
 * A small support-ticket triage workflow built from the primitives. Run after a build:
 *   node packages/core/examples/triage.ts        (or `pnpm example` at the repo root)
 * The "services" are simulated with short sleeps and scripted failures, so it runs anywhere.
 */
import {
  branch,
  cache,
  circuitBreaker,
  compensate,
  fallback,
  forEach,
  lift,
  map,
  parallel,
  retry,
  route,
  runPromise,
  saga,
  sequence,
  step,
  timeout,
  toMermaid,
  WorkflowContext,
  withName
} from "@tta/core"
import { Effect } from "effect"

interface Ticket {
  readonly id: string
  readonly text: string
}
type Category = "bug" | "feature" | "question"
interface Classified extends Ticket {
  readonly category: Category
  readonly urgent: boolean
}

class ModelBusy extends Error {
  readonly _tag = "ModelBusy"
}

// A flaky classifier: the first call for each ticket is "busy", the retry gets through.
const seen = new Set<string>()
const classify = step("classify", (t: Ticket) =>
  Effect.gen(function* () {
    yield* Effect.sleep("20 millis")
    if (!seen.has(t.id)) {
      seen.add(t.id)
      return yield* Effect.fail(new ModelBusy("model busy, try again"))
    }
    const text = t.text.toLowerCase()
    const category: Category =
      text.includes("crash") || text.includes("error") ? "bug" : text.includes("?") ? "question" : "feature"
    return { ...t, category, urgent: text.includes("prod") }
  })
).pipe(
  retry({ times: 2, backoff: { base: "10 millis" }, while: (e) => e._tag === "ModelBusy" }),
  timeout("2 seconds"),
  cache({ key: (t) => t.id, ttl: "5 minutes", capacity: 500 })
)

// Bugs: open an issue and page the on-call engineer; if paging fails, the issue is closed again.
const issues: Array<string> = []
const openIssue = step("openIssue", (t: Classified) =>
  Effect.sync(() => {
    issues.push(t.id)
    return { ...t, issue: `ISSUE-${issues.length}` }
  })
).pipe(compensate((opened) => Effect.sync(() => issues.splice(issues.indexOf(opened.id), 1))))
const page = step("page", (t: Classified & { issue: string }) =>
  Effect.as(Effect.sleep("5 millis"), `${t.issue} opened, on-call paged`)
).pipe(circuitBreaker({ failureThreshold: 3, resetAfter: "30 seconds" }))
const handleBug = branch(
  (t: Classified) => t.urgent,
  saga(openIssue, page).pipe(withName("open+page")),
  lift("backlog", (t: Classified) => `${t.id} filed in the backlog`)
)

// Features: estimate and look for duplicates at the same time.
const handleFeature = parallel({
  estimate: lift("estimate", (t: Classified) => (t.text.length > 40 ? "L" : "S")),
  duplicates: step("dedupe", (t: Classified) =>
    Effect.as(Effect.sleep("10 millis"), t.text.includes("dark mode") ? 3 : 0)
  )
}).pipe(map(({ estimate, duplicates }) => `feature, size ${estimate}, ${duplicates} duplicate(s)`))

// Questions: ask the (down) hosted model, fall back to the FAQ.
const hostedModel = step("hostedModel", (_: Classified) =>
  Effect.fail({ _tag: "Unavailable", message: "503" } as const)
)
const faq = lift("faq", (t: Classified) => `answered from the FAQ: "${t.text}"`)
const handleQuestion = fallback(hostedModel, faq)

const triage = sequence(
  classify,
  route((t: Classified) => t.category, { bug: handleBug, feature: handleFeature, question: handleQuestion })
).pipe(withName("triage"))

const inbox = triage.pipe(forEach({ concurrency: 2 }), withName("inbox"))

const tickets: ReadonlyArray<Ticket> = [
  { id: "T-1", text: "App crashes on login in prod" },
  { id: "T-2", text: "Please add dark mode to the dashboard settings page" },
  { id: "T-3", text: "How do I export my data?" },
  { id: "T-4", text: "Typo error on the pricing page" }
]

const results = await runPromise(inbox, tickets, { workflowId: "triage-demo", tags: ["example"] })
for (const [i, t] of tickets.entries()) console.log(`${t.id}  ${results[i]}`)

// A second pass is served from the cache: no classifier calls (each would fail once more if it ran).
const whoami = step("whoami", (t: Ticket) =>
  Effect.map(WorkflowContext, (ctx) => `${ctx.workflowId}/${t.id}`)
)
const reclassify = parallel({ who: whoami, category: classify.pipe(map((c) => c.category)) })
const again = await runPromise(reclassify, tickets[0]!, { workflowId: "second-pass" })
console.log(`\nsecond pass (cached): ${again.who} → ${again.category}`)
console.log(`open issues: ${issues.join(", ") || "none"}`)

console.log("\n```mermaid")
console.log(toMermaid(inbox))
console.log("```")
