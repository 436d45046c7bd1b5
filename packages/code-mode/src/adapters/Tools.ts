/**
 * The three code-mode tools an agent SDK needs — `search_tools`, `read_api`, `execute` — as the data
 * every adapter builds from: one Effect Schema per input (its JSON Schema derived from it), a
 * description, and `call`, which runs one on a CodeMode session. A failure (bad input, a type error
 * in the agent's code, a denied tool call) becomes a result the model reads and can act on, never
 * an exception: the agent fixes its code and tries again.
 */
import { Effect, Schema } from "effect"
import type { CodeMode, ExecuteOutcome } from "../CodeMode.ts"

export const SearchToolsInput = Schema.Struct({
  query: Schema.String.annotate({ description: "Words describing what you want to do" }),
  detail: Schema.optionalKey(Schema.Literals(["name", "description", "full"])).annotate({
    description: "name (default), description, or full (the tool file's source)"
  }),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 }))).annotate({
    description: "Most tools returned (1-50, default 10)"
  })
})

export const ReadApiInput = Schema.Struct({
  path: Schema.String.annotate({ description: "A file of the generated API, e.g. servers/index.ts" })
})

export const ExecuteInput = Schema.Struct({
  code: Schema.String.annotate({
    description: "An ES module in TypeScript; return the result with `export default value`"
  })
})

/** Each tool's input Schema and description, keyed by the name the model calls it by. */
export const definitions = {
  search_tools: {
    description:
      "Find tools across all connected MCP servers. Returns matching tools with the path of their " +
      "TypeScript file under servers/. Use it first, then read_api the files you need.",
    input: SearchToolsInput
  },
  read_api: {
    description:
      "Read a file of the generated TypeScript API: servers/index.ts lists servers, " +
      "servers/<server>/index.ts lists a server's tools, servers/<server>/<tool>.ts has its types.",
    input: ReadApiInput
  },
  execute: {
    description:
      "Run TypeScript in a sandbox. Import tools from ./servers/<server>/index.ts, do the work in code " +
      "(loops, filters, joins) and return only what you need with `export default value`. Returns the " +
      "value, console output and the tool calls made.",
    input: ExecuteInput
  }
} as const

export type ToolName = keyof typeof definitions

export const names: ReadonlyArray<ToolName> = ["search_tools", "read_api", "execute"]

export const isToolName = (name: string): name is ToolName => Object.hasOwn(definitions, name)

/** What a model is told to do with these tools (a system-prompt line). */
export const instructions =
  "The tools of every connected MCP server are a TypeScript API under servers/. Find tools with " +
  "search_tools, read the files you need with read_api, then call execute with code that imports " +
  "them, does the work and returns only the answer with `export default`."

/** A tool's input as JSON Schema (draft 2020-12 keywords, no `$schema`), derived from its Schema. */
export const jsonSchema = (name: ToolName): Record<string, unknown> =>
  Schema.toJsonSchemaDocument(definitions[name].input).schema as Record<string, unknown>

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

/** The part of an execution a model needs: the value, what the code printed, which tools it called. */
export const summarize = (outcome: ExecuteOutcome) => ({
  value: outcome.value,
  logs: outcome.logs.map((l) => (l.level === "log" ? l.message : `[${l.level}] ${l.message}`)),
  toolCalls: outcome.toolCalls.map((c) => ({
    tool: `${c.server}.${c.tool}`,
    outcome: c.outcome,
    ...(c.error === undefined ? {} : { error: c.error })
  })),
  ...(outcome.truncated ? { truncated: true } : {})
})

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
      ? Effect.flatMap(decode(SearchToolsInput, name, input), (args) =>
          codeMode.searchTools(args.query, args).pipe(
            Effect.map((tools): Result => ({ ok: true, content: tools })),
            Effect.mapError((e) => failure(e._tag, e.message))
          )
        )
      : name === "read_api"
        ? Effect.flatMap(decode(ReadApiInput, name, input), (args) =>
            codeMode.readApi(args.path).pipe(
              Effect.map((source): Result => ({ ok: true, content: source })),
              Effect.mapError((e) => failure(e._tag, e.message))
            )
          )
        : Effect.flatMap(decode(ExecuteInput, name, input), (args) =>
            codeMode.execute(args.code).pipe(
              Effect.map((outcome): Result => ({ ok: true, content: summarize(outcome) })),
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
