import { assert, describe, it } from "@effect/vitest"
import { compensate, SagaError, saga, step } from "@tta/core"
import { Cause, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { recorder } from "./support.ts"

interface Order {
  readonly id: string
  readonly amount: number
}

/** Book a trip: reserve → charge → ship, each with its own undo; the log shows what ran. */
const trip = (options: { failAt?: "charge" | "ship"; breakRefund?: boolean; shipDefect?: boolean } = {}) => {
  const log: Array<string> = []
  const reserve = step("reserve", (o: Order) =>
    Effect.sync(() => {
      log.push(`reserve ${o.id}`)
      return { ...o, seat: "12A" }
    })
  ).pipe(compensate((r, input) => Effect.sync(() => log.push(`release ${r.seat} (input ${input.id})`))))
  const charge = step("charge", (r: Order & { seat: string }) =>
    options.failAt === "charge"
      ? Effect.fail({ _tag: "CardDeclined" as const, message: "card declined" })
      : Effect.sync(() => {
          log.push(`charge ${r.amount}`)
          return { ...r, payment: `pay-${r.id}` }
        })
  ).pipe(
    compensate((c) =>
      options.breakRefund
        ? Effect.fail({ _tag: "RefundFailed" as const, message: `refund of ${c.payment} failed` })
        : Effect.sync(() => log.push(`refund ${c.payment}`))
    )
  )
  const ship = step("ship", (c: Order & { seat: string; payment: string }) =>
    options.shipDefect
      ? Effect.die(new Error("printer on fire"))
      : options.failAt === "ship"
        ? Effect.fail({ _tag: "NoCourier" as const, message: "no courier" })
        : Effect.sync(() => {
            log.push("ship")
            return `shipped ${c.id}`
          })
  )
  return { log, flow: saga(reserve, charge, ship) }
}

describe("saga", () => {
  it.effect("runs the steps in order, each output feeding the next", () =>
    Effect.gen(function* () {
      const { log, flow } = trip()
      assert.strictEqual(yield* flow.run({ id: "o1", amount: 40 }), "shipped o1")
      assert.deepStrictEqual(log, ["reserve o1", "charge 40", "ship"])
    })
  )

  it.effect("on failure, compensates the completed steps in reverse, once each, with their own outputs", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const { log, flow } = trip({ failAt: "ship" })
      const error = yield* Effect.flip(rec.provide(flow.run({ id: "o2", amount: 10 })))
      assert.instanceOf(error, SagaError)
      assert.strictEqual(error.failedStep, "ship")
      assert.strictEqual(error.error._tag, "NoCourier")
      assert.deepStrictEqual(error.compensated, ["charge", "reserve"])
      assert.deepStrictEqual(error.compensationFailures, [])
      assert.deepStrictEqual(log, ["reserve o2", "charge 10", "refund pay-o2", "release 12A (input o2)"])
      assert.deepStrictEqual(
        rec.named("tta.saga.compensate").map((s) => s.attributes.get("tta.saga.step")),
        ["charge", "reserve"]
      )
    })
  )

  it.effect("a step that fails is not compensated itself", () =>
    Effect.gen(function* () {
      const { log, flow } = trip({ failAt: "charge" })
      const error = yield* Effect.flip(flow.run({ id: "o3", amount: 5 }))
      assert.strictEqual(error.failedStep, "charge")
      assert.deepStrictEqual(log, ["reserve o3", "release 12A (input o3)"])
    })
  )

  it.effect("a failing compensation is reported in the error, and the others still run", () =>
    Effect.gen(function* () {
      const { log, flow } = trip({ failAt: "ship", breakRefund: true })
      const error = yield* Effect.flip(flow.run({ id: "o4", amount: 7 }))
      assert.deepStrictEqual(error.compensated, ["reserve"])
      assert.strictEqual(error.compensationFailures.length, 1)
      assert.strictEqual(error.compensationFailures[0]!.step, "charge")
      assert.deepStrictEqual(error.compensationFailures[0]!.error, {
        _tag: "RefundFailed",
        message: "refund of pay-o4 failed"
      })
      assert.include(error.message, "compensation failed for charge (RefundFailed: refund of pay-o4 failed)")
      assert.deepStrictEqual(log, ["reserve o4", "charge 7", "release 12A (input o4)"])
    })
  )

  it.effect("a defect still compensates, then propagates as a defect", () =>
    Effect.gen(function* () {
      const { log, flow } = trip({ shipDefect: true })
      const exit = yield* Effect.exit(flow.run({ id: "o5", amount: 1 }))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.deepStrictEqual(log, ["reserve o5", "charge 1", "refund pay-o5", "release 12A (input o5)"])
    })
  )

  it.effect("interruption mid-saga compensates what completed", () =>
    Effect.gen(function* () {
      const log: Array<string> = []
      const first = step("first", (n: number) => Effect.succeed(n + 1)).pipe(
        compensate((out) => Effect.sync(() => log.push(`undo first ${out}`)))
      )
      const slow = step("slow", (n: number) => Effect.as(Effect.sleep("1 hour"), n))
      const fiber = yield* Effect.forkChild(saga(first, slow).run(1))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(log, ["undo first 2"])
    })
  )
})
