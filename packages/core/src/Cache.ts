/**
 * `cache({ key, ttl, capacity })`: remembers successful outputs by key. LRU eviction past
 * `capacity`, expiry after `ttl` (by the Effect `Clock`), and concurrent misses for one key share a
 * single run. `undefined`, `null` and `Option.none()` outputs are cached like any other value;
 * failures are not cached. Hits and misses are counted in `tta.cache.hits` / `tta.cache.misses`
 * (when a metrics consumer is installed).
 */
import { Cause, Clock, Deferred, Duration, Effect, Exit, type Fiber } from "effect"
import { dual } from "effect/Function"
import * as Metrics from "./Metrics.ts"
import {
  currentSpan,
  fiberRun,
  isPrimitive,
  make,
  type Primitive,
  plainRun,
  requireDuration,
  requireInt
} from "./Primitive.ts"

export interface CacheOptions<In> {
  /** Cache key of an input. */
  readonly key: (input: In) => string
  /** How long an entry stays fresh; forever by default. */
  readonly ttl?: Duration.Input | undefined
  /** Most entries kept (least recently used go first); 1000 by default. */
  readonly capacity?: number | undefined
  readonly name?: string | undefined
}

export interface Cached<In, Out, E, R> extends Primitive<In, Out, E, R> {
  /** Drops one key (an in-flight run for it still completes for its waiters). */
  readonly invalidate: (key: string) => Effect.Effect<void>
  /** Drops every entry. */
  readonly invalidateAll: Effect.Effect<void>
  /** Number of entries held, fresh or not yet evicted. */
  readonly size: Effect.Effect<number>
}

type Entry<Out, E> =
  | { readonly _tag: "Ready"; readonly value: Out; readonly expiresAt: number }
  | { readonly _tag: "Pending"; readonly deferred: Deferred.Deferred<Exit.Exit<Out, E>> }

export const cache: {
  <In>(
    options: CacheOptions<NoInfer<In>>
  ): <Out, E, R>(self: Primitive<In, Out, E, R>) => Cached<In, Out, E, R>
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: CacheOptions<NoInfer<In>>): Cached<In, Out, E, R>
} = dual(
  (args) => isPrimitive(args[0]),
  <In, Out, E, R>(self: Primitive<In, Out, E, R>, options: CacheOptions<In>): Cached<In, Out, E, R> => {
    const name = options.name ?? `cache(${self.name})`
    const capacity = requireInt(name, "capacity", options.capacity ?? 1000, 1)
    let ttlMillis = Number.POSITIVE_INFINITY
    if (options.ttl !== undefined) ttlMillis = Duration.toMillis(requireDuration(name, "ttl", options.ttl))
    const attrs = Metrics.attributes(name, "cache")
    const hits = Metrics.cacheHits(attrs)
    const misses = Metrics.cacheMisses(attrs)
    // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
    const store = new Map<string, Entry<Out, E>>()

    const evict = () => {
      while (store.size > capacity) store.delete(store.keys().next().value!)
    }

    const selfPlain = plainRun(self)
    // `observed`: false on the plain path (no tracer, no metrics consumer: nothing to record).
    const lookupIn = (
      input: In,
      fiber: Fiber.Fiber<unknown, unknown>,
      observed: boolean
    ): Effect.Effect<Out, E, R> => {
      const context = fiber.context
      const span = observed ? currentSpan(fiber) : undefined
      const measuring = observed && Metrics.isEnabled(fiber)
      const key = options.key(input)
      const entry = store.get(key)
      if (entry !== undefined) {
        if (entry._tag === "Ready") {
          if (fiber.getRef(Clock.Clock).currentTimeMillisUnsafe() < entry.expiresAt) {
            store.delete(key)
            store.set(key, entry)
            if (measuring) hits.updateUnsafe(1, context)
            if (span !== undefined) span.attribute("tta.cache.hit", true)
            return Effect.succeed(entry.value)
          }
          store.delete(key)
        } else {
          // Someone is already computing this key: wait for their result.
          if (measuring) hits.updateUnsafe(1, context)
          if (span !== undefined) {
            span.attribute("tta.cache.hit", true)
            span.attribute("tta.cache.coalesced", true)
          }
          return Effect.flatMap(Deferred.await(entry.deferred), (exit) =>
            // The computing caller was interrupted: this caller takes over.
            exit._tag === "Failure" && Cause.hasInterruptsOnly(exit.cause)
              ? lookupIn(input, fiber, observed)
              : exit
          )
        }
      }
      if (measuring) misses.updateUnsafe(1, context)
      if (span !== undefined) span.attribute("tta.cache.hit", false)
      const pending: Entry<Out, E> = { _tag: "Pending", deferred: Deferred.makeUnsafe<Exit.Exit<Out, E>>() }
      store.set(key, pending)
      evict()
      return Effect.onExit(observed ? self.run(input) : selfPlain(input), (exit) =>
        Effect.sync(() => {
          if (store.get(key) === pending) {
            store.delete(key)
            if (exit._tag === "Success") {
              const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
              store.set(key, { _tag: "Ready", value: exit.value, expiresAt: now + ttlMillis })
              evict()
            }
          }
          Deferred.doneUnsafe(pending.deferred, Exit.succeed(exit))
        })
      )
    }

    const primitive = make({
      name,
      kind: "cache",
      children: [self],
      meta: {
        capacity,
        ttl: Number.isFinite(ttlMillis) ? Duration.format(Duration.millis(ttlMillis)) : "forever"
      },
      run: fiberRun((input: In, fiber) => lookupIn(input, fiber, true)),
      plain: fiberRun((input: In, fiber) => lookupIn(input, fiber, false))
    })
    return Object.assign(primitive, {
      invalidate: (key: string) => Effect.sync(() => void store.delete(key)),
      invalidateAll: Effect.sync(() => store.clear()),
      size: Effect.sync(() => store.size)
    })
  }
)
