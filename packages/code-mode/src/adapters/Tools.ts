/**
 * The three code-mode tools an agent SDK needs — `search_tools`, `read_api`, `execute` — as the data
 * every adapter builds from: the gateway's Effect Schema and description of each (gateway/Tools.ts,
 * the one source; JSON Schema derived from it the same way), and `call`, which runs one on a
 * CodeMode session (execute answers the gateway's `ExecuteOutput`). A failure (bad input, a type error
 * in the agent's code, a denied tool call) becomes a result the model reads and can act on, never
 * an exception: the agent fixes its code and tries again.
 */
import { Effect, Schema } from "effect"
import type { CodeMode, ExecuteOutcome } from "../CodeMode.ts"
import * as Responses from "../gateway/Responses.ts"
import * as Gateway from "../gateway/Tools.ts"

// The gateway's tools are the one definition of each (Schema and description): an adapter offers
// the same three, so a model reads the same tool whichever way it reaches code mode.
export { ExecuteInput, ReadApiInput, SearchToolsInput } from "../gateway/Tools.ts"

const fromGateway = <N extends "search_tools" | "read_api" | "execute">(name: N) => ({
  description: Gateway.specs[name].description,
  input: Gateway.specs[name].input
})

/** Each tool's input Schema and description, keyed by the name the model calls it by. */
export const definitions = {
  search_tools: fromGateway("search_tools"),
  read_api: fromGateway("read_api"),
  execute: fromGateway("execute")
} as const

export type ToolName = keyof typeof definitions

export const names: ReadonlyArray<ToolName> = ["search_tools", "read_api", "execute"]

export const isToolName = (name: string): name is ToolName => Object.hasOwn(definitions, name)

/** What a model is told to do with these tools (a system-prompt line). */
export const instructions =
  "The tools of every connected MCP server are a TypeScript API under servers/. Find tools with " +
  "search_tools, read the files you need with read_api, then call execute with code that imports " +
  "them, does the work and returns only the answer with `export default`."

/** A tool's input as JSON Schema (draft 2020-12 keywords, no `$schema`), as the gateway derives it. */
export const jsonSchema = (name: ToolName): Record<string, unknown> =>
  Gateway.jsonSchema(definitions[name].input) as Record<string, unknown>

/** One tool call's outcome, as the model will read it. */
export interface Result {
  /** False when the call failed: the content then says why (`{ error, message, ... }`). */
  readonly ok: boolean
  readonly content: unknown
}

const failure = (error: string, message: string, extra: Record<string, unknown> = {}): Result => ({
  ok: false,
  content: { error, message, ...extra }
})

/**
 * The part of an execution a model needs, as the gateway's execute answers it (`ExecuteOutput`):
 * the value, what the code printed, the calls per tool, and every call's record with `verbose`.
 */
export const summarize = (outcome: ExecuteOutcome, verbose = false): Responses.ExecuteOutput =>
  Responses.executeOutput(outcome, { verbose })

const decode = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  name: string,
  input: unknown
) =>
  Schema.decodeUnknownEffect(schema)(input).pipe(
    Effect.mapError((e) => failure("InvalidInput", `${name}: ${e.message}`))
  ) as Effect.Effect<S["Type"], Result>

/** Runs one tool call on a session. Unknown names and bad input are results too, naming what was wrong. */
export const call = (codeMode: CodeMode["Service"], name: string, input: unknown): Effect.Effect<Result> => {
  const run: Effect.Effect<Result, Result> = !isToolName(name)
    ? Effect.fail(
        failure("UnknownTool", `no tool ${JSON.stringify(name)}; the tools are ${names.join(", ")}`)
      )
    : name === "search_tools"
      ? Effect.flatMap(decode(Gateway.SearchToolsInput, name, input), (args) =>
          codeMode.searchTools(args.query, args).pipe(
            Effect.map((tools): Result => ({ ok: true, content: tools })),
            Effect.mapError((e) => failure(e._tag, e.message))
          )
        )
      : name === "read_api"
        ? Effect.flatMap(decode(Gateway.ReadApiInput, name, input), (args) =>
            codeMode.readApi(args.path).pipe(
              Effect.map((source): Result => ({ ok: true, content: source })),
              Effect.mapError((e) => failure(e._tag, e.message))
            )
          )
        : Effect.flatMap(decode(Gateway.ExecuteInput, name, input), (args) =>
            codeMode.execute(args.code).pipe(
              Effect.map(
                (outcome): Result => ({ ok: true, content: summarize(outcome, args.verbose === true) })
              ),
              Effect.mapError((e) =>
                e._tag === "ExecutionError"
                  ? failure(e._tag, e.message, {
                      kind: e.kind,
                      ...(e.line === undefined ? {} : { line: e.line }),
                      ...(e.logs === undefined ? {} : { logs: e.logs.map((l) => l.message) })
                    })
                  : failure(e._tag, e.message)
              )
            )
          )
  return Effect.catch(run, Effect.succeed)
}
