/**
 * The runtime installed inside every sandbox before the agent's code runs: `host`, `console`,
 * timers, and the serialisation of the result. It is engine-neutral; each backend turns it into
 * source text (`preludeSource`) and gives it one synchronous `send` function to the host.
 *
 * Everything crossing the boundary is a string of JSON made here and parsed on the other side,
 * so no object reference ever crosses, in either direction.
 *
 * Only a small part is compiled in every new context ({@link prelude}: the intrinsics it captures
 * before the agent's code runs, the result, and the globals as stubs). `host`, `console` and the
 * timers are compiled the first time the code touches them, from source the host hands over
 * (`send("load", part)`, see {@link partSource}): compiling all of it in every context was half
 * of a QuickJS cold start, and `export default 1+1` needs none of it.
 */

/** Messages from the sandbox to the host, the first argument of `send`. */
export type Outbound =
  | "call" // id, name, argsJson
  | "log" // level, text
  | "timer" // id, ms
  | "clearTimer" // id
  | "done" // valueJson | undefined
  | "invalid" // message (result not JSON-serialisable)
  | "tooLarge" // length of the result's JSON
  | "load" // part name; `send` returns that part's source text (see `partSource`)

export interface PreludeHandle {
  /** Settles host call `id`: ok → payload is the result's JSON (or undefined); else an error's JSON. */
  settle(id: number, ok: boolean, payload: string | undefined): void
  /** Runs timer `id`. */
  fire(id: number): void
  /** Reads `export default` from the entry module's namespace and reports it with `send`. */
  finish(ns: { readonly default?: unknown }): void
}

type Send = (kind: string, a?: unknown, b?: unknown, c?: unknown) => unknown

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
}

// Must not reference anything outside its own body: its source text is what runs in the sandbox.
export function prelude(
  g: any,
  send: Send,
  hostNames: ReadonlyArray<string>,
  outputBudget: number
): PreludeHandle {
  const O = Object
  const i: Captured = {
    stringify: JSON.stringify,
    parse: JSON.parse,
    define: O.defineProperty,
    freeze: O.freeze,
    getProto: O.getPrototypeOf,
    objectProto: O.prototype,
    toTag: O.prototype.toString,
    isArray: Array.isArray,
    keys: O.keys,
    ErrorCtor: Error,
    PromiseCtor: Promise,
    MapCtor: Map,
    StringCtor: String,
    SetCtor: Set,
    evaluate: g.eval
  }
  const { stringify, define, ErrorCtor } = i
  // A part's source comes from the host; compiled once, in this context, on first use.
  const compile = (part: string): any => {
    const src = send("load", part)
    if (typeof src !== "string") throw new ErrorCtor(`the sandbox's ${part} could not be loaded`)
    return i.evaluate(`(${src})`)
  }
  let problem: ((v: unknown, path: string, seen: Set<object>) => string | undefined) | undefined
  const toJson = (v: unknown, what: string, strict: boolean): string => {
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
      problem ??= compile("checker")(i)
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
  let hostPart: ReturnType<typeof preludeHost> | undefined
  let timers: ReturnType<typeof preludeTimers> | undefined
  const hostOf = () => (hostPart ??= compile("host")(i, send, hostNames, toJson))
  const timersOf = () => (timers ??= compile("timers")(i.MapCtor, send))
  const lazy: Record<string, () => unknown> = {
    host: () => hostOf().host,
    console: () => compile("console")(i, send, outputBudget),
    setTimeout: () => timersOf().setTimeout,
    setInterval: () => timersOf().setInterval,
    clearTimeout: () => timersOf().clear,
    clearInterval: () => timersOf().clear
  }
  const data = (k: string, value: unknown) =>
    define(g, k, { value, writable: true, configurable: true, enumerable: false })
  // A stub per global until first use: reading it compiles the part and leaves a plain value
  // property (as if it had always been there); assigning replaces it without compiling anything.
  for (const k of i.keys(lazy)) {
    define(g, k, {
      get: () => {
        const value = lazy[k]!()
        data(k, value)
        return value
      },
      set: (value: unknown) => data(k, value),
      configurable: true,
      enumerable: false
    })
  }
  data("queueMicrotask", (fn: () => void) => {
    i.PromiseCtor.resolve().then(fn)
  })
  return {
    settle: (id, ok, payload) => hostPart?.settle(id, ok, payload),
    fire: (id) => timers?.fire(id),
    finish(ns) {
      const value = ns.default
      if (value === undefined) {
        send("done", undefined)
        return
      }
      let json: string
      try {
        json = toJson(value, "the value of `export default`", true)
      } catch (e) {
        send("invalid", (e as Error).message)
        return
      }
      if (json.length > outputBudget) send("tooLarge", json.length)
      else send("done", json)
    }
  }
}

// `host`: each call returns a promise settled by the host through `settle`. Compiled on first use.
// Self-contained like the prelude, and given the intrinsics the prelude captured.
export function preludeHost(
  i: Captured,
  send: Send,
  hostNames: ReadonlyArray<string>,
  toJson: (v: unknown, what: string, strict: boolean) => string
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
  for (const name of hostNames) host[name] = (...args) => call(name, args)
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

interface ConsoleIntrinsics {
  readonly stringify: typeof JSON.stringify
  readonly freeze: typeof Object.freeze
  readonly ErrorCtor: ErrorConstructor
  readonly StringCtor: StringConstructor
}

// The sandbox's `console`: each call becomes one "log" message to the host.
// Self-contained like the prelude, and given the intrinsics the prelude captured.
export function preludeConsole(i: ConsoleIntrinsics, send: Send, outputBudget: number) {
  const { stringify, freeze, ErrorCtor, StringCtor } = i
  // Output budget: stop sending console output once it cannot fit; the host measures exact bytes.
  let spent = 0
  const show = (v: unknown): string => {
    if (typeof v === "string") return v
    if (v instanceof ErrorCtor) {
      const head = `${v.name}: ${v.message}`
      const stack = typeof v.stack === "string" ? v.stack : ""
      return stack.startsWith(head) ? stack : stack === "" ? head : `${head}\n${stack}`
    }
    if (typeof v === "object" && v !== null) {
      try {
        return stringify(v) ?? StringCtor(v)
      } catch {
        return StringCtor(v)
      }
    }
    return StringCtor(v)
  }
  const logger =
    (level: string) =>
    (...args: Array<unknown>): void => {
      if (spent > outputBudget) return
      let text = args.map(show).join(" ")
      if (text.length > outputBudget - spent) text = text.slice(0, outputBudget - spent + 1)
      spent += text.length + 1
      send("log", level, text)
    }
  return freeze({
    log: logger("log"),
    info: logger("info"),
    warn: logger("warn"),
    error: logger("error"),
    debug: logger("debug"),
    trace: logger("debug")
  })
}

// Timers run on the host's clock; all of them die with the execution.
// Self-contained like the prelude, and given the Map constructor the prelude captured.
export function preludeTimers(MapCtor: MapConstructor, send: Send) {
  const maxTimers = 10_000
  const timers = new MapCtor<number, { fn: unknown; args: Array<unknown>; ms: number; repeat: boolean }>()
  let timerSeq = 0
  const schedule =
    (repeat: boolean) =>
    (fn: unknown, ms?: unknown, ...args: Array<unknown>) => {
      if (typeof fn !== "function") throw new TypeError("the callback must be a function")
      if (timers.size >= maxTimers) throw new RangeError(`more than ${maxTimers} timers pending`)
      const id = ++timerSeq
      const delay = typeof ms === "number" && ms > 0 ? ms : 0
      timers.set(id, { fn, args, ms: delay, repeat })
      send("timer", id, delay)
      return id
    }
  const clear = (id: unknown) => {
    if (typeof id === "number" && timers.delete(id)) send("clearTimer", id)
  }
  const fire = (id: number) => {
    const t = timers.get(id)
    if (t === undefined) return
    if (t.repeat) send("timer", id, t.ms)
    else timers.delete(id)
    ;(t.fn as (...a: Array<unknown>) => void)(...t.args)
  }
  return { setTimeout: schedule(false), setInterval: schedule(true), clear, fire }
}

interface Intrinsics {
  readonly getProto: (o: object) => object | null
  readonly objectProto: object
  readonly toTag: () => string
  readonly isArray: (v: unknown) => v is Array<unknown>
  readonly keys: (o: object) => Array<string>
  readonly SetCtor: SetConstructor
}

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

/** The prelude as installed. */
export type Install = (
  g: any,
  send: (kind: string, a?: unknown, b?: unknown, c?: unknown) => unknown,
  hostNames: ReadonlyArray<string>,
  outputBudget: number
) => PreludeHandle

/** Source text of an expression that evaluates to an {@link Install} function. */
export const preludeSource = `(${prelude.toString()})`

/** The parts compiled on first use, by name: `send("load", name)` must return this source. */
export const parts: Readonly<Record<string, string>> = {
  host: preludeHost.toString(),
  console: preludeConsole.toString(),
  timers: preludeTimers.toString(),
  checker: jsonChecker.toString()
}

/** The source of a part the prelude asks for, or undefined for a name that is not one. */
export const partSource = (name: unknown): string | undefined =>
  typeof name === "string" && Object.hasOwn(parts, name) ? parts[name] : undefined
