// One naming rule for what primitives report: kinds are kebab-case, spans are `tta.<kind>`, and a
// primitive's own metrics live under `tta.<kind>.` (kind verbatim) or `tta.primitive.`, with a
// snake_case last segment as OpenTelemetry names its attributes.
import { assert, describe, it } from "@effect/vitest"
import {
  branch,
  bulkhead,
  cache,
  circuitBreaker,
  type Describe,
  describe as describeTree,
  fallback,
  forEach,
  Metrics,
  map,
  parallel,
  rateLimit,
  retry,
  route,
  saga,
  sequence,
  step,
  tap,
  timeout
} from "@tta/core"
import { Effect } from "effect"

const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

const kinds = (d: Describe.Description): Array<string> => [d.kind, ...d.children.flatMap(kinds)]

describe("naming", () => {
  it("every built-in kind is kebab-case", () => {
    const inc = step("inc", (n: number) => Effect.succeed(n + 1))
    const everything = [
      sequence(inc, inc),
      inc.pipe(retry({ times: 1 }), timeout("1 second"), cache({ key: String })),
      inc.pipe(circuitBreaker({ failureThreshold: 3, resetAfter: "1 second" })),
      inc.pipe(rateLimit({ limit: 10, interval: "1 second" }), bulkhead({ maxConcurrent: 2 })),
      fallback(inc, inc),
      branch((n: number) => n > 0, inc, inc),
      route((n: number) => (n > 0 ? "up" : "down"), { up: inc, down: inc }, inc),
      saga(inc, inc),
      parallel([inc, inc]).pipe(map(([a]) => a)),
      inc.pipe(tap(() => Effect.void)),
      inc.pipe(forEach())
    ]
    const all = new Set(everything.flatMap((p) => kinds(describeTree(p))))
    for (const kind of all) assert.match(kind, kebab, `kind ${kind}`)
    for (const kind of ["circuit-breaker", "rate-limit", "for-each"]) assert.isTrue(all.has(kind), kind)
  })

  it("every metric name is tta.<kind or primitive>.<snake_case>", () => {
    for (const name of Object.values(Metrics.names)) {
      const [prefix, scope, leaf, ...rest] = name.split(".")
      assert.strictEqual(prefix, "tta", name)
      assert.match(scope!, kebab, name)
      assert.match(leaf!, /^[a-z][a-z0-9_]*$/, name)
      assert.deepStrictEqual(rest, [], name)
    }
    assert.strictEqual(Metrics.names.breakerState, "tta.circuit-breaker.state")
  })
})
