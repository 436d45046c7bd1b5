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
