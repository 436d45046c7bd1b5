/**
 * The gateway's tool table: one Effect Schema per tool input (its JSON Schema is derived from it,
 * never written twice), a handler per tool in a record keyed by name, and the text each answer
 * carries. Transport-free, so the session may import it (for its token account).
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Schema } from "effect"
import {
  type ApiFileNotFound,
  CodeMode,
  type CodeModeError,
  type ExecutionError,
  type SkillTypeError
} from "../CodeMode.ts"
import * as Responses from "./Responses.ts"

export const serverInfo = { name: "tta-code-mode", version: "0.1.0" } as const

export const instructions =
  "Code mode: the tools of every connected MCP server are a TypeScript API under servers/. " +
  "Discover with search_tools (or read_api servers/index.ts), read the files you need, then call " +
  "execute with code that imports them, does the work (loops, filters, joins) and returns only what " +
  "you need with `export default`. It can also import ./skills/<name>/index.ts and ./workspace.ts " +
  "(files kept between runs). Save code worth reusing with save_skill."

export const SearchToolsInput = Schema.Struct({
  query: Schema.String,
  detail: Schema.optionalKey(
    Schema.Literals(["name", "signature", "description", "full"]).annotate({
      description: "signature: the call in one line; full: the file"
    })
  ),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 })))
})

export const ReadApiInput = Schema.Struct({
  path: Schema.String
})

export const ExecuteInput = Schema.Struct({
  code: Schema.String,
  // Also every tool call's record.
  verbose: Schema.optionalKey(Schema.Boolean)
})

export const SaveSkillInput = Schema.Struct({
  // A slug (triage-errors): the store refuses anything else, naming the rule.
  name: Schema.String,
  description: Schema.String,
  code: Schema.String,
  tags: Schema.optionalKey(Schema.Array(Schema.String))
})

export const ListSkillsInput = Schema.Struct({ query: Schema.optionalKey(Schema.String) })

/** The arguments of a tools/call did not match the tool's input schema. */
export class BadArguments extends Schema.TaggedError<BadArguments>()("BadArguments", {
  tool: Schema.String,
  issue: Schema.String
}) {
  override get message(): string {
    return `Invalid arguments for ${this.tool}: ${this.issue}`
  }
}

/** A tools/call named a tool this gateway does not offer. */
export class UnknownTool extends Schema.TaggedError<UnknownTool>()("UnknownTool", {
  name: Schema.String,
  offered: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Unknown tool "${this.name}". This gateway offers: ${this.offered.join(", ")}.`
  }
}

/** `f`'s value, computed on the first call and kept. */
const once = <A>(f: () => A): (() => A) => {
  let value: { readonly a: A } | undefined
  return () => {
    value ??= { a: f() }
    return value.a
  }
}

const executeOutputSchema = once(() => jsonSchemaOf(Responses.ExecuteOutput))

/**
 * An Effect Schema as the JSON Schema (draft 2020-12) an MCP client receives. `additionalProperties:
 * true` is left out: it is JSON Schema's default (and the decoder's), and a model pays for every key.
 */
function jsonSchemaOf(schema: Schema.Top): Tool["inputSchema"] {
  const document = Schema.toJsonSchemaDocument(schema)
  const { additionalProperties, ...rest } = document.schema as Record<string, unknown>
  const definitions = Object.keys(document.definitions).length > 0 ? { $defs: document.definitions } : {}
  return {
    ...rest,
    ...(additionalProperties === true ? {} : { additionalProperties }),
    ...definitions
  } as Tool["inputSchema"]
}

type HandlerError = ApiFileNotFound | CodeModeError | ExecutionError | SkillTypeError

interface Spec<S extends Schema.Codec<any, any, never, never>> {
  readonly title: string
  readonly description: string
  readonly input: S
  readonly annotations: NonNullable<Tool["annotations"]>
  readonly outputSchema?: Tool["outputSchema"]
  readonly handle: (args: S["Type"]) => Effect.Effect<CallToolResult, HandlerError, CodeMode>
}

const spec = <S extends Schema.Codec<any, any, never, never>>(s: Spec<S>): Spec<S> => s

/** Every tool of the gateway, keyed by its MCP name. */
export const specs = {
  search_tools: spec({
    title: "Search tools",
    description: "Find tools by what they do; each hit names its file.",
    input: SearchToolsInput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handle: (a) =>
      CodeMode.use((c) =>
        c.searchTools(a.query, {
          ...(a.detail === undefined ? {} : { detail: a.detail }),
          ...(a.limit === undefined ? {} : { limit: a.limit })
        })
      ).pipe(Effect.map((hits) => Responses.search(hits, a.detail)))
  }),
  read_api: spec({
    title: "Read an API file",
    description: "Read a file of the API, e.g. servers/index.ts.",
    input: ReadApiInput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handle: (a) => CodeMode.use((c) => c.readApi(a.path)).pipe(Effect.map(Responses.text))
  }),
  execute: spec({
    title: "Execute code",
    description:
      "Run a TypeScript module that imports tools from ./servers/<server>/index.ts and returns a small result with `export default`.",
    input: ExecuteInput,
    // The code may call any downstream tool, destructive ones included.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    get outputSchema() {
      return executeOutputSchema()
    },
    handle: (a) =>
      CodeMode.use((c) => c.execute(a.code)).pipe(
        Effect.map((outcome) => Responses.execute(outcome, { verbose: a.verbose === true }))
      )
  }),
  save_skill: spec({
    title: "Save a skill",
    // Saving a name again adds a version; it never overwrites one.
    description: "Save code that exports a function as ./skills/<name>/index.ts.",
    input: SaveSkillInput,
    // A save adds a version; it never overwrites one.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handle: (a) =>
      CodeMode.use((c) =>
        c.saveSkill({
          name: a.name,
          description: a.description,
          code: a.code,
          ...(a.tags === undefined ? {} : { tags: a.tags })
        })
      ).pipe(
        Effect.map((saved) =>
          Responses.text(
            `saved skill ${saved.name} v${saved.version}; import it from ./skills/${saved.name}/index.ts`
          )
        )
      )
  }),
  list_skills: spec({
    title: "List skills",
    description: "List saved skills.",
    input: ListSkillsInput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handle: (a) => CodeMode.use((c) => c.listSkills(a.query)).pipe(Effect.map(Responses.text))
  })
} as const

export type ToolName = keyof typeof specs

export const names = Object.keys(specs) as ReadonlyArray<ToolName>

/** A spec with its input type erased, for code that handles every tool alike. */
interface AnySpec extends Omit<Spec<Schema.Codec<any, any, never, never>>, "handle"> {
  readonly handle: (args: any) => Effect.Effect<CallToolResult, HandlerError, CodeMode>
}

const erased: Readonly<Record<ToolName, AnySpec>> = specs

export const isToolName = (name: string): name is ToolName => Object.hasOwn(specs, name)

export const jsonSchema = jsonSchemaOf

/**
 * The gateway's tool definitions, as a client receives them from tools/list. Their JSON Schemas
 * are derived on first read (enumerable getters, in the same key order): deriving them cost ~3 ms
 * at import, which a process that never lists the tools (`tta exec`) should not pay.
 */
export const tools: ReadonlyArray<Tool> = names.map((name) => {
  const s = erased[name]
  const tool = { name, title: s.title, description: s.description } as Tool
  const input = once(() => jsonSchema(s.input))
  Object.defineProperty(tool, "inputSchema", { get: input, enumerable: true })
  if ("outputSchema" in s) {
    Object.defineProperty(tool, "outputSchema", { get: () => s.outputSchema, enumerable: true })
  }
  // A long execute may run as a task (tools/call with `task`); the rest answer at once.
  if (name === "execute") tool.execution = { taskSupport: "optional" }
  tool.annotations = { title: s.title, ...s.annotations }
  return tool
})

const decode = <S extends Schema.Codec<any, any, never, never>>(tool: string, schema: S, args: unknown) =>
  Schema.decodeUnknownEffect(schema)(args ?? {}).pipe(
    Effect.mapError((e) => new BadArguments({ tool, issue: e.message }))
  )

/** Answers one tools/call of the gateway. Failures become `isError` results the model can read. */
export const handleCall = Effect.fn("gateway.call")(function* (name: string, args: unknown) {
  if (!isToolName(name)) return Responses.error(new UnknownTool({ name, offered: names }).message)
  const s = erased[name]
  return yield* decode(name, s.input, args).pipe(
    Effect.flatMap(s.handle),
    Effect.catch((error) => Effect.succeed(Responses.error(error.message)))
  )
})
