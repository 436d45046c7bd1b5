/**
 * Turning a `tools/call` result into the value code sees: `structuredContent` when the tool
 * gives it, else its text parsed as JSON when it is JSON, else the text itself.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"

type Content = CallToolResult["content"][number]

// Cheap pre-check so plain prose is not thrown through JSON.parse.
const JSON_START = /^\s*[[{"\d-]|^\s*(?:true|false|null)\s*$/

/** Parses `text` as JSON when it is JSON; otherwise returns it unchanged. */
export const parseText = (text: string): unknown => {
  if (!JSON_START.test(text)) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * The value of a successful result: `structuredContent` if present; one text item → parsed
 * text; several text items → an array of parsed texts; anything else (images, resources,
 * mixed) → the content array as is; no content → `null`.
 */
export const toValue = (result: CallToolResult): unknown => {
  if (result.structuredContent !== undefined) return result.structuredContent
  const content = result.content
  if (content.length === 0) return null
  if (content.length === 1) {
    const only = content[0] as Content
    return only.type === "text" ? parseText(only.text) : content
  }
  if (content.every((c) => c.type === "text")) {
    return content.map((c) => parseText((c as Extract<Content, { type: "text" }>).text))
  }
  return content
}

/** The human message of an `isError` result: its text items joined, or a fallback. */
export const errorText = (result: CallToolResult): string => {
  const texts = result.content.flatMap((c) => (c.type === "text" ? [c.text] : []))
  return texts.length > 0 ? texts.join("\n") : "the tool reported an error without a message"
}

/**
 * Approximate size in bytes of a result's payload (text, binary data, structured content);
 * used to enforce the result cap on transports that do not bound message size themselves.
 */
export const approximateSize = (result: CallToolResult): number => {
  let size = 0
  for (const c of result.content) {
    if (c.type === "text") size += c.text.length
    else if (c.type === "image" || c.type === "audio") size += c.data.length
    else if (c.type === "resource")
      size += "text" in c.resource ? c.resource.text.length : c.resource.blob.length
  }
  if (result.structuredContent !== undefined && size === 0) {
    size += JSON.stringify(result.structuredContent).length
  }
  return size
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)
const isString = (v: unknown): v is string => typeof v === "string"

// What is wrong with one content block, or undefined. The same rules as the SDK's
// ContentBlockSchema, checked in place (no copy of the block or its text).
const contentProblem = (block: unknown): string | undefined => {
  if (!isObject(block)) return "is not an object"
  switch (block.type) {
    case "text":
      return isString(block.text) ? undefined : "has no string `text`"
    case "image":
    case "audio":
      return isString(block.data) && isString(block.mimeType)
        ? undefined
        : "needs string `data` and `mimeType`"
    case "resource": {
      const r = block.resource
      return isObject(r) && isString(r.uri) && (isString(r.text) || isString(r.blob))
        ? undefined
        : "needs a `resource` with a string `uri` and `text` or `blob`"
    }
    case "resource_link":
      return isString(block.uri) && isString(block.name) ? undefined : "needs string `uri` and `name`"
    default:
      return `has an unknown type ${JSON.stringify(block.type)}`
  }
}

/**
 * What makes `value` not a `CallToolResult`, or undefined when it is one. A missing `content`
 * is tolerated and becomes `[]` (as the SDK's schema defaults it). Checks in place: a large
 * result is not walked or copied.
 */
export const resultProblem = (value: unknown): string | undefined => {
  if (!isObject(value)) return "the result is not an object"
  if (value.content === undefined) value.content = []
  const content = value.content
  if (!Array.isArray(content)) return "`content` is not an array"
  for (let i = 0; i < content.length; i++) {
    const problem = contentProblem(content[i])
    if (problem !== undefined) return `content[${i}] ${problem}`
  }
  if (value.structuredContent !== undefined && !isObject(value.structuredContent)) {
    return "`structuredContent` is not an object"
  }
  if (value.isError !== undefined && typeof value.isError !== "boolean") return "`isError` is not a boolean"
  return undefined
}
