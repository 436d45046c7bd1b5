/**
 * JSON Schema → TypeScript type text. A focused converter: json-schema-to-typescript measured
 * ~2× over the 1,000-tool budget here (see bench/results.md), is async and pulls prettier.
 *
 * Covered: `type` (and arrays of types), `properties`/`required`, `additionalProperties`,
 * `patternProperties`, `items`/`prefixItems`/`additionalItems` (arrays and tuples), `enum`,
 * `const`, `anyOf`/`oneOf` (unions), `allOf` (intersections), `nullable` (OpenAPI 3.0), local
 * `$ref` (`#`, `#/$defs/…`, `#/definitions/…`, any JSON pointer) including recursion. Anything
 * else (external refs, anchors, malformed schemas, cycles that TypeScript cannot express) becomes
 * `unknown` with a comment saying why; conversion never throws.
 */

import {
  atom,
  docBlock,
  intersection,
  isRecord,
  literal,
  MAX_DEPTH,
  NEVER,
  NULL,
  propertyKey,
  refsOf,
  short,
  type TypeText,
  UNDEFINED,
  UNKNOWN,
  union,
  unsupported
} from "./TypeText.ts"

export { commentText, docBlock, type TypeText, union } from "./TypeText.ts"

/** Per-file state: type names in use and the named types (from `$ref`) still to write. */
export interface Scope {
  readonly taken: Set<string>
  readonly names: Map<string, string>
  readonly pending: Array<{
    readonly name: string
    readonly root: Root
    readonly key: string
    readonly schema: unknown
  }>
}

export interface Root {
  readonly label: string
  readonly schema: unknown
  /** The type name the root itself is written as (the target of `$ref: "#"`). */
  readonly name: string
}

interface Ctx {
  readonly scope: Scope
  readonly root: Root
  readonly inline: Set<string>
  readonly stack: Array<object>
}

const resolvePointer = (root: unknown, pointer: string): unknown => {
  if (pointer === "") return root
  let node: unknown = root
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~")
    if (Array.isArray(node)) node = /^(0|[1-9][0-9]*)$/.test(segment) ? node[Number(segment)] : undefined
    else if (isRecord(node) && Object.hasOwn(node, segment)) node = node[segment]
    else return undefined
    if (node === undefined) return undefined
  }
  return node
}

const allocate = (scope: Scope, wanted: string): string => {
  let name = wanted
  for (let n = 2; scope.taken.has(name); n++) name = `${wanted}${n}`
  scope.taken.add(name)
  return name
}

export const newScope = (reserved: Iterable<string>): Scope => ({
  taken: new Set(["Promise", "Array", "ReadonlyArray", "Record", "Partial", ...reserved]),
  names: new Map(),
  pending: []
})

const pascal = (segment: string): string => {
  const words = segment.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0)
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
  return joined.length === 0 ? "Def" : /^[0-9]/.test(joined) ? `_${joined}` : joined
}

const reference = (ref: string, ctx: Ctx, indent: number, guarded: boolean): TypeText => {
  if (!ref.startsWith("#")) return unsupported(`external $ref ${short(ref)} is not resolved`)
  let pointer: string
  try {
    pointer = decodeURIComponent(ref.slice(1))
  } catch {
    return unsupported(`malformed $ref ${short(ref)}`)
  }
  if (pointer !== "" && !pointer.startsWith("/")) return unsupported(`$ref to anchor ${short(ref)}`)
  const target = resolvePointer(ctx.root.schema, pointer)
  if (target === undefined) return unsupported(`$ref ${short(ref)} points nowhere`)
  const key = `${ctx.root.label}#${pointer}`
  // Inside an object member a name may refer to itself; elsewhere (alias bodies, unions,
  // intersections, tuples) TypeScript may reject the cycle, so inline instead.
  if (guarded) {
    if (pointer === "") return atom(ctx.root.name)
    const known = ctx.scope.names.get(key)
    if (known !== undefined) return atom(known, [known])
    const segments = pointer.split("/")
    const name = allocate(ctx.scope, pascal(segments[segments.length - 1] ?? "Def"))
    ctx.scope.names.set(key, name)
    ctx.scope.pending.push({ name, root: ctx.root, key, schema: target })
    return atom(name, [name])
  }
  if (ctx.inline.has(key)) return unsupported(`circular $ref ${short(ref)}`)
  ctx.inline.add(key)
  try {
    return convert(target, ctx, indent, false)
  } finally {
    ctx.inline.delete(key)
  }
}

const propertyDoc = (schema: unknown, pad: string): string => {
  if (!isRecord(schema)) return ""
  const paragraphs: Array<string> = []
  const text =
    typeof schema.description === "string"
      ? schema.description
      : typeof schema.title === "string"
        ? schema.title
        : undefined
  if (text !== undefined && text.trim() !== "") paragraphs.push(text.trim())
  const tags: Array<string> = []
  if (schema.default !== undefined) {
    const d = JSON.stringify(schema.default)
    if (d !== undefined) tags.push(`@default ${d.length > 120 ? `${d.slice(0, 120)}…` : d}`)
  }
  if (schema.deprecated === true) tags.push("@deprecated")
  if (tags.length > 0) paragraphs.push(tags.join("\n"))
  return docBlock(paragraphs, pad)
}

const objectType = (s: Record<string, unknown>, ctx: Ctx, indent: number): TypeText => {
  const pad = "  ".repeat(indent + 1)
  const props = isRecord(s.properties) ? s.properties : {}
  const required = new Set(
    Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []
  )
  let body = ""
  const memberTypes: Array<TypeText> = []
  let anyOptional = false
  const keys = Object.keys(props)
  for (const key of keys) {
    const t = convert(props[key], ctx, indent + 1, true)
    const optional = !required.has(key)
    anyOptional ||= optional
    memberTypes.push(t)
    body += `${propertyDoc(props[key], pad)}${pad}${propertyKey(key)}${optional ? "?" : ""}: ${t.text}\n`
  }
  for (const key of required) {
    if (Object.hasOwn(props, key)) continue
    memberTypes.push(UNKNOWN)
    body += `${pad}${propertyKey(key)}: unknown\n`
  }
  const used: Array<TypeText> = [...memberTypes]
  const extra: Array<TypeText> = []
  const patterns = isRecord(s.patternProperties) ? s.patternProperties : {}
  for (const pattern of Object.keys(patterns)) extra.push(convert(patterns[pattern], ctx, indent + 1, true))
  const additional = s.additionalProperties
  if (additional === undefined) {
    // Open objects with no declared properties are maps; with properties, keep excess-property checks.
    if (keys.length === 0 && extra.length === 0 && required.size === 0) extra.push(UNKNOWN)
  } else if (additional !== false) extra.push(convert(additional, ctx, indent + 1, true))
  if (extra.length > 0) {
    // Declared properties must fit the index signature, so it carries their types too; when they
    // are not simple enough for TypeScript to check that reliably, the signature says `unknown`.
    const all = [...extra, ...memberTypes]
    const simple = memberTypes.length === 0 || all.every((t) => !/[\n&]/.test(t.text))
    const index = simple ? union([...all, ...(anyOptional ? [UNDEFINED] : [])]) : UNKNOWN
    body += `${pad}[key: string]: ${index.isNever ? "never" : index.text}\n`
    used.push(index)
  }
  const refs = refsOf(used)
  const text = body === "" ? "{}" : `{\n${body}${"  ".repeat(indent)}}`
  return refs === undefined ? { text, prec: 2, isObject: true } : { text, prec: 2, isObject: true, refs }
}

const element = (t: TypeText): string => (t.prec === 2 ? t.text : `(${t.text})`)

const arrayType = (s: Record<string, unknown>, ctx: Ctx, indent: number, guarded: boolean): TypeText => {
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined
  if (tuple !== undefined) {
    const rest = Array.isArray(s.prefixItems) ? s.items : s.additionalItems
    const min = typeof s.minItems === "number" ? s.minItems : 0
    const types: Array<TypeText> = []
    const parts = tuple.map((item, i) => {
      const t = convert(item, ctx, indent, guarded)
      types.push(t)
      return i >= min ? `${element(t)}?` : t.text
    })
    if (rest !== undefined && rest !== false) {
      const t = convert(rest, ctx, indent, guarded)
      types.push(t)
      parts.push(`...${element(t)}[]`)
    }
    return atom(`[${parts.join(", ")}]`, refsOf(types))
  }
  if (s.items === undefined || s.items === true) return atom("unknown[]")
  const item = convert(s.items, ctx, indent, guarded)
  return atom(item.prec === 2 ? `${item.text}[]` : `Array<${item.text}>`, item.refs)
}

const impliedTypes = (s: Record<string, unknown>): ReadonlyArray<unknown> | undefined => {
  if (typeof s.type === "string") return [s.type]
  if (Array.isArray(s.type)) return s.type
  if (
    isRecord(s.properties) ||
    isRecord(s.patternProperties) ||
    s.additionalProperties !== undefined ||
    Array.isArray(s.required)
  )
    return ["object"]
  if (s.items !== undefined || s.prefixItems !== undefined) return ["array"]
  return undefined
}

const typed = (
  s: Record<string, unknown>,
  ctx: Ctx,
  indent: number,
  guarded: boolean
): TypeText | undefined => {
  const types = impliedTypes(s)
  if (types === undefined) return undefined
  return union(
    types.map((t) => {
      switch (t) {
        case "string":
          return atom("string")
        case "number":
        case "integer":
          return atom("number")
        case "boolean":
          return atom("boolean")
        case "null":
          return NULL
        case "object":
          return objectType(s, ctx, indent)
        case "array":
          return arrayType(s, ctx, indent, guarded)
        default:
          return unsupported(`unknown type ${short(t)}`)
      }
    })
  )
}

const convertRecord = (s: Record<string, unknown>, ctx: Ctx, indent: number, guarded: boolean): TypeText => {
  const parts: Array<TypeText> = []
  if (typeof s.$ref === "string") parts.push(reference(s.$ref, ctx, indent, guarded))
  else if (s.$ref !== undefined) parts.push(unsupported(`$ref is ${short(s.$ref)}, not a string`))
  if (Object.hasOwn(s, "const")) parts.push(literal(s.const))
  else if (Array.isArray(s.enum)) parts.push(union(s.enum.map((v) => literal(v))))
  else {
    if (s.enum !== undefined) parts.push(unsupported("enum is not an array"))
    const base = typed(s, ctx, indent, guarded)
    if (base !== undefined) parts.push(base)
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const list = s[key]
    if (list === undefined) continue
    if (!Array.isArray(list) || list.length === 0) parts.push(unsupported(`${key} is not a non-empty array`))
    else parts.push(union(list.map((m) => convert(m, ctx, indent, guarded))))
  }
  if (s.allOf !== undefined) {
    if (!Array.isArray(s.allOf)) parts.push(unsupported("allOf is not an array"))
    else for (const m of s.allOf) parts.push(convert(m, ctx, indent, guarded))
  }
  if (parts.length === 0) {
    // Keywords TypeScript cannot express only matter when nothing else describes the value.
    const skipped = ["not", "if", "$dynamicRef", "$recursiveRef", "dependentSchemas"].filter(
      (k) => s[k] !== undefined
    )
    if (skipped.length > 0) parts.push(unsupported(`${skipped.join(", ")} not expressible in TypeScript`))
  }
  const result = parts.length === 0 ? UNKNOWN : intersection(parts)
  return s.nullable === true ? union([result, NULL]) : result
}

/**
 * Converts one schema node. `guarded`: the position is inside an object type's member, where
 * TypeScript resolves types lazily, so a named type may refer to itself there.
 */
const convert = (s: unknown, ctx: Ctx, indent: number, guarded: boolean): TypeText => {
  if (s === true) return UNKNOWN
  if (s === false) return NEVER
  if (!isRecord(s)) return unsupported(`schema is ${short(s)}, not an object`)
  if (ctx.stack.includes(s)) return unsupported("cyclic schema object")
  if (ctx.stack.length >= MAX_DEPTH) return unsupported(`schema nested deeper than ${MAX_DEPTH}`)
  ctx.stack.push(s)
  try {
    return convertRecord(s, ctx, indent, guarded)
  } finally {
    ctx.stack.pop()
  }
}

/** Converts a root schema (a tool's input or output) in `scope`. */
export const convertRoot = (scope: Scope, root: Root): TypeText =>
  convert(root.schema, { scope, root, inline: new Set([`${root.label}#`]), stack: [] }, 0, false)

/** Converts the next named type waiting in `scope`, or returns undefined when none is left. */
export const convertPending = (
  scope: Scope
): { readonly name: string; readonly type: TypeText } | undefined => {
  const next = scope.pending.shift()
  if (next === undefined) return undefined
  const ctx: Ctx = { scope, root: next.root, inline: new Set([next.key]), stack: [] }
  return { name: next.name, type: convert(next.schema, ctx, 0, false) }
}

/** The description (or title) of a schema node, for JSDoc. */
export const describe = (schema: unknown): string | undefined => {
  if (!isRecord(schema)) return undefined
  const text = typeof schema.description === "string" ? schema.description : undefined
  return text !== undefined && text.trim() !== "" ? text.trim() : undefined
}
