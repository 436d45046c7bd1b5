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

import {
  type Captured,
  jsonChecker,
  type Part,
  type PartFactory,
  preludeHost,
  preludeJson,
  preludeTimers,
  type Send
} from "./PreludeParts.ts"

/** Messages from the sandbox to the host, the first argument of `send`. */
export type Outbound =
  | "call" // id, name, argsJson
  | "log" // level, text
  | "timer" // id, due (the code's clock, ms), time of the call (same clock)
  | "clearTimer" // id
  | "done" // valueJson | undefined
  | "invalid" // message (result not JSON-serialisable)
  | "tooLarge" // length of the result's JSON
  | "load" // part name; `send` returns that part's source text (see `partSource`)

/**
 * One execution's settings, read when used (a part's first use, the result), not when the prelude
 * is installed: QuickJS installs it once per machine and sets these for each execution.
 */
export interface Settings {
  /** The host functions' names, or their JSON (parsed only when the code first uses `host`). */
  hostNames: ReadonlyArray<string> | string
  /** Bytes of console output and result the code may send. */
  outputBudget: number
}

export interface PreludeHandle {
  /** Settles host call `id`: ok → payload is the result's JSON (or undefined); else an error's JSON. */
  settle(id: number, ok: boolean, payload: string | undefined): void
  /** Runs timer `id`. */
  fire(id: number): void
  /** Reads `export default` from the entry module's namespace and reports it with `send`. */
  finish(ns: { readonly default?: unknown }): void
}

// Must not reference anything outside its own body: its source text is what runs in the sandbox.
// Kept small (QuickJS compiles all of it in every new context, ~60 µs per KB): the globals are
// stubs until first read, when `part` compiles the part that makes them (see `parts` below).
export function prelude(g: any, send: Send, settings: Settings): PreludeHandle {
  const O = Object
  const define = O.defineProperty
  const i: Captured = {
    stringify: JSON.stringify,
    parse: JSON.parse,
    define,
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
    evaluate: g.eval,
    now: Date.now
  }
  // No prototype: the agent's code may add properties to Object.prototype before a part loads.
  const loaded = O.create(null)
  // A part's source comes from the host; compiled once, in this context, on first use.
  const part: Part = (name) => {
    loaded[name] ??= (i.evaluate(`(${send("load", name)})`) as PartFactory)(
      i,
      send,
      settings.hostNames,
      settings.outputBudget,
      part
    )
    return loaded[name]
  }
  // Reading a stub compiles its part and leaves a plain value property (as if it had always been
  // there); assigning replaces it without compiling anything.
  for (const k of [
    "host",
    "console",
    "setTimeout",
    "setInterval",
    "clearTimeout",
    "clearInterval",
    "queueMicrotask"
  ]) {
    define(g, k, {
      get() {
        const value = k === "host" ? part("host").host : k === "console" ? part("console") : part("timers")[k]
        // A frozen globalThis keeps the stub (parts are compiled once, so it returns the same value).
        try {
          define(g, k, { value, writable: true, configurable: true })
        } catch {}
        return value
      },
      set(value: unknown) {
        define(g, k, { value, writable: true, configurable: true })
      },
      configurable: true
    })
  }
  return {
    settle: (id, ok, payload) => loaded.host?.settle(id, ok, payload),
    fire: (id) => loaded.timers?.fire(id),
    finish(ns) {
      const value = ns.default
      const t = typeof value
      if (value === undefined) return void send("done", undefined)
      let out: string
      try {
        // A number, string or boolean needs no part compiled (`export default 1+1`).
        out =
          t === "number" || t === "string" || t === "boolean" || value === null
            ? i.stringify(value)
            : part("json")(value, "the value of `export default`", true)
      } catch (e) {
        return void send("invalid", (e as Error)?.message)
      }
      if (out.length > settings.outputBudget) send("tooLarge", out.length)
      else send("done", out)
    }
  }
}

type ConsoleIntrinsics = Pick<Captured, "stringify" | "freeze" | "ErrorCtor" | "StringCtor">

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

/** The prelude as installed. */
export type Install = (
  g: any,
  send: (kind: string, a?: unknown, b?: unknown, c?: unknown) => unknown,
  settings: Settings
) => PreludeHandle

/** Source text of an expression that evaluates to an {@link Install} function. */
export const preludeSource = `(${prelude.toString()})`

/**
 * The parts compiled on first use, by name: `send("load", name)` must return this source, an
 * expression of a {@link PartFactory}. `host` and `console` are the globals of those names, `timers`
 * has the timer functions and `queueMicrotask` by their global names, `json` is a `ToJson`.
 */
export const parts: Readonly<Record<string, string>> = {
  host: `(i, send, names, budget, part) => (${preludeHost})(i, send, names, part("json"))`,
  console: `(i, send, names, budget) => (${preludeConsole})(i, send, budget)`,
  timers: `(i, send) => (${preludeTimers})(i.MapCtor, send, i.PromiseCtor, i.now)`,
  json: `(i, send, names, budget, part) => (${preludeJson})(i, part)`,
  checker: `(i) => (${jsonChecker})(i)`
}

/** The source of a part the prelude asks for, or undefined for a name that is not one. */
export const partSource = (name: unknown): string | undefined =>
  typeof name === "string" && Object.hasOwn(parts, name) ? parts[name] : undefined
