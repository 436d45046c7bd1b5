/**
 * The parts of the sandbox's prelude compiled on first use (see Prelude.ts): each is a
 * self-contained function whose source text is handed to the sandbox when the code first needs
 * it, and which gets the intrinsics the prelude captured before the agent's code ran.
 */

/** The prelude's one synchronous function to the host (see `Outbound` in Prelude.ts). */
export type Send = (kind: string, a?: unknown, b?: unknown, c?: unknown) => unknown

/** Intrinsics captured before the agent's code runs, handed to each part when it is compiled. */
export interface Captured {
  readonly stringify: typeof JSON.stringify
  readonly parse: typeof JSON.parse
  readonly define: typeof Object.defineProperty
  readonly freeze: typeof Object.freeze
  readonly getProto: (o: object) => object | null
  readonly objectProto: object
  readonly toTag: () => string
  readonly isArray: (v: unknown) => v is Array<unknown>
  readonly keys: (o: object) => Array<string>
  readonly ErrorCtor: ErrorConstructor
  readonly PromiseCtor: PromiseConstructor
  readonly MapCtor: MapConstructor
  readonly StringCtor: StringConstructor
  readonly SetCtor: SetConstructor
  readonly evaluate: (src: string) => unknown
  /** `Date.now`, so the code cannot move the clock its timers' deadlines are read from. */
  readonly now: () => number
}

/** Compiles part `name` in the sandbox on first use and returns what it made (see `parts` in Prelude.ts). */
export type Part = (name: string) => any

/** What a part's source evaluates to: the same arguments for every part. */
export type PartFactory = (
  i: Captured,
  send: Send,
  hostNames: ReadonlyArray<string> | string,
  outputBudget: number,
  part: Part
) => any

/** Turns a value into JSON, or throws a TypeError saying why it cannot be (`strict`: check objects first). */
export type ToJson = (v: unknown, what: string, strict: boolean) => string

// `toJson`: compiled when a value first has to cross (a result, a host call's arguments).
// Self-contained like the prelude; `compile` compiles the checker only when an object fails.
export function preludeJson(i: Captured, part: Part): ToJson {
  const { stringify } = i
  let problem: ((v: unknown, path: string, seen: Set<object>) => string | undefined) | undefined
  return (v, what, strict) => {
    const t = typeof v
    if (t === "string" || t === "number" || t === "boolean" || v === null) return stringify(v)
    let json: string | undefined
    if (!strict) {
      try {
        json = stringify(v)
      } catch {}
      if (json !== undefined) return json
    }
    let p: string | undefined
    try {
      problem ??= part("checker")
      p = problem!(v, "", new i.SetCtor())
    } catch (e) {
      p =
        e instanceof RangeError
          ? "a structure nested too deeply"
          : `a property that throws (${(e as Error)?.message})`
    }
    if (p !== undefined) throw new TypeError(`${what} is not JSON-serialisable: it contains ${p}`)
    return json ?? stringify(v)
  }
}

// `host`: each call returns a promise settled by the host through `settle`. Compiled on first use.
// Self-contained like the prelude, and given the intrinsics the prelude captured.
export function preludeHost(
  i: Captured,
  send: Send,
  hostNames: ReadonlyArray<string> | string,
  toJson: ToJson
) {
  const { parse, define, ErrorCtor, PromiseCtor } = i
  let seq = 0
  const pending = new i.MapCtor<number, [(v: unknown) => void, (e: unknown) => void]>()
  const call = (name: string, args: Array<unknown>): Promise<unknown> => {
    let json: string
    try {
      json = toJson(args, `the arguments of host.${name}`, false)
    } catch (e) {
      return PromiseCtor.reject(e)
    }
    const id = ++seq
    return new PromiseCtor((resolve, reject) => {
      pending.set(id, [resolve, reject])
      send("call", id, name, json)
    })
  }
  const host: Record<string, (...args: Array<unknown>) => Promise<unknown>> = {}
  const names: ReadonlyArray<string> = typeof hostNames === "string" ? parse(hostNames) : hostNames
  for (const name of names) host[name] = (...args) => call(name, args)
  i.freeze(host)
  const settle = (id: number, ok: boolean, payload: string | undefined) => {
    const p = pending.get(id)
    if (p === undefined) return
    pending.delete(id)
    if (ok) {
      p[0](payload === undefined ? undefined : parse(payload))
      return
    }
    const info = parse(payload ?? "{}") as { name?: string; message?: string; _tag?: string }
    // A subclass whose prototype carries the name, so the stack's first line has it from the
    // start (engines format that line when the error is made).
    const Named = class extends ErrorCtor {}
    define(Named.prototype, "name", {
      value: typeof info.name === "string" ? info.name : "Error",
      writable: true
    })
    const err = new Named(info.message ?? "host call failed") as Error & { _tag?: string }
    if (typeof info._tag === "string") err._tag = info._tag
    // The failure happened on the host: frames of this prelude would only mislead.
    try {
      define(err, "stack", { value: `${err.name}: ${err.message}`, writable: true, configurable: true })
    } catch {}
    p[1](err)
  }
  return { host, settle }
}

// Timers: each registration sends its deadline on this clock and the time it was made (the host
// orders pending timers by deadline, see TimerQueue.ts); all of them die with the execution.
// An interval re-arms at its previous deadline plus its period, not "now + period", so a late host
// does not reorder it against timers registered with it (catching up at most one period).
// Also `queueMicrotask`.
// Self-contained like the prelude, and given the intrinsics the prelude captured.
export function preludeTimers(
  MapCtor: MapConstructor,
  send: Send,
  PromiseCtor: PromiseConstructor,
  now: () => number
) {
  const maxTimers = 10_000
  const timers = new MapCtor<
    number,
    { fn: unknown; args: Array<unknown>; ms: number; due: number; repeat: boolean }
  >()
  let timerSeq = 0
  const schedule =
    (repeat: boolean) =>
    (fn: unknown, ms?: unknown, ...args: Array<unknown>) => {
      if (typeof fn !== "function") throw new TypeError("the callback must be a function")
      if (timers.size >= maxTimers) throw new RangeError(`more than ${maxTimers} timers pending`)
      const id = ++timerSeq
      // As Node does: under 1 ms or over 2^31-1 ms is 1 ms (an interval of 0 would never let time pass).
      const delay = typeof ms === "number" && ms >= 1 && ms <= 2_147_483_647 ? ms : 1
      const at = now()
      timers.set(id, { fn, args, ms: delay, due: at + delay, repeat })
      send("timer", id, at + delay, at)
      return id
    }
  const clear = (id: unknown) => {
    if (typeof id === "number" && timers.delete(id)) send("clearTimer", id)
  }
  const fire = (id: number) => {
    const t = timers.get(id)
    if (t === undefined) return
    if (t.repeat) {
      // Catches up at most one period: an interval whose callback outlasts its period (or a
      // long stall) must not run back to back without end and hold back every later timer.
      const at = now()
      // biome-ignore lint/complexity/useMathMinMax: the agent's code may have replaced Math.max
      t.due = t.due + t.ms > at - t.ms ? t.due + t.ms : at - t.ms
      send("timer", id, t.due, at)
    } else timers.delete(id)
    ;(t.fn as (...a: Array<unknown>) => void)(...t.args)
  }
  return {
    setTimeout: schedule(false),
    setInterval: schedule(true),
    clearTimeout: clear,
    clearInterval: clear,
    queueMicrotask: (fn: () => void) => {
      PromiseCtor.resolve().then(fn)
    },
    fire
  }
}

type Intrinsics = Pick<Captured, "getProto" | "objectProto" | "toTag" | "isArray" | "keys" | "SetCtor">

// Says why a value cannot be JSON, with the path to the offending part, or undefined when it can.
// Self-contained, like the prelude, and given the intrinsics captured before the agent's code ran.
export function jsonChecker(i: Intrinsics) {
  const { getProto, objectProto, toTag, isArray, keys } = i
  const notPlain = new i.SetCtor([
    "[object Map]",
    "[object Set]",
    "[object WeakMap]",
    "[object WeakSet]",
    "[object Promise]",
    "[object RegExp]",
    "[object ArrayBuffer]",
    "[object SharedArrayBuffer]",
    "[object DataView]",
    "[object Error]"
  ])
  const problem = (v: unknown, path: string, seen: Set<object>): string | undefined => {
    const at = path === "" ? "the top level" : path
    switch (typeof v) {
      case "function":
        return `a function at ${at}`
      case "symbol":
        return `a symbol at ${at}`
      case "bigint":
        return `a BigInt at ${at}`
      case "object": {
        if (v === null) return undefined
        if (typeof (v as { toJSON?: unknown }).toJSON === "function") return undefined
        if (seen.has(v)) return `a circular reference at ${at}`
        const tag = toTag.call(v)
        if (notPlain.has(tag) || /Array\]$/.test(tag) !== isArray(v)) {
          return `${tag.slice(8, -1)} at ${at} (convert it to plain objects and arrays first)`
        }
        seen.add(v)
        try {
          if (isArray(v)) {
            for (let i = 0; i < v.length; i++) {
              const p = problem(v[i], `${path}[${i}]`, seen)
              if (p !== undefined) return p
            }
          } else {
            const proto = getProto(v)
            if (proto !== objectProto && proto !== null) {
              const name = proto?.constructor?.name
              if (typeof name === "string" && name !== "Object") {
                return `an instance of ${name} at ${at} (convert it to a plain object first)`
              }
            }
            for (const k of keys(v)) {
              const p = problem((v as Record<string, unknown>)[k], `${path}.${k}`, seen)
              if (p !== undefined) return p
            }
          }
        } finally {
          seen.delete(v)
        }
        return undefined
      }
      default:
        return undefined
    }
  }
  return problem
}
