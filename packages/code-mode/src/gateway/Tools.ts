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
  "you need with `export default`. Save code worth reusing with save_skill."

export const SearchToolsInput = Schema.Struct({
  query: Schema.String.annotate({ description: "Words describing what you want to do" }),
  detail: Schema.optionalKey(
    Schema.Literals(["name", "description", "full"]).annotate({
      description: "name (default), description, or full (the file's source)"
    })
  ),
  limit: Schema.optionalKey(
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 })).annotate({
      description: "Most results to return (1–50, default 10)"
    })
  )
})

export const ReadApiInput = Schema.Struct({
  path: Schema.String.annotate({ description: "e.g. servers/index.ts" })
})

export const ExecuteInput = Schema.Struct({
  code: Schema.String.annotate({ description: "An ES module in TypeScript" }),
  verbose: Schema.optionalKey(
    Schema.Boolean.annotate({ description: "Also return every tool call's record (default false)" })
  )
})

export const SaveSkillInput = Schema.Struct({
  name: Schema.String.annotate({ description: "lower-case slug, e.g. triage-errors" }),
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
    description:
      "Find tools across all connected MCP servers. Returns matching tools with the path of their " +
      "TypeScript file. detail: name (default), description, or full (the file's source).",
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
    description:
      "Read a file of the generated API: servers/index.ts lists servers, servers/<server>/index.ts " +
      "lists a server's tools, servers/<server>/<tool>.ts has its types. skills/<name>/SKILL.md too.",
    input: ReadApiInput,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handle: (a) => CodeMode.use((c) => c.readApi(a.path)).pipe(Effect.map(Responses.text))
  }),
  execute: spec({
    title: "Execute code",
    description:
      "Run TypeScript in a sandbox. Import tools from ./servers/<server>/index.ts and skills from " +
      "./skills/<name>/index.ts; read and write ./workspace/ files; return the result with " +
      "`export default value` (keep it small). Returns the value, console output and a summary of tool calls.",
    input: ExecuteInput,
    // The code may call any downstream tool, destructive ones included.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    handle: (a) =>
      CodeMode.use((c) => c.execute(a.code)).pipe(
        Effect.map((outcome) => Responses.execute(outcome, { verbose: a.verbose === true }))
      )
  }),
  save_skill: spec({
    title: "Save a skill",
    description:
      "Save working code as a reusable skill (a new version each time). The code must export a " +
      "function; later executions import it from ./skills/<name>/index.ts.",
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
    description: "List saved skills (optionally those matching a query) with versions and run statistics.",
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

/** An Effect Schema as the JSON Schema (draft 2020-12) an MCP client receives. */
export const jsonSchema = (schema: Schema.Top): Tool["inputSchema"] => {
  const document = Schema.toJsonSchemaDocument(schema)
  const definitions = Object.keys(document.definitions).length > 0 ? { $defs: document.definitions } : {}
  return { ...document.schema, ...definitions } as Tool["inputSchema"]
}

/** The gateway's tool definitions, as a client receives them from tools/list. */
export const tools: ReadonlyArray<Tool> = names.map((name) => {
  const s = erased[name]
  return {
    name,
    title: s.title,
    description: s.description,
    inputSchema: jsonSchema(s.input),
    ...(s.outputSchema === undefined ? {} : { outputSchema: s.outputSchema }),
    annotations: { title: s.title, ...s.annotations }
  }
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
