// An MCP server (stdio) with the tools, resources and prompts the official conformance suite's server
// scenarios call (@modelcontextprotocol/conformance), to run the suite through the gateway: its
// tools are exposed `direct` (see mcp.json), everything else passes through. Plain JS on the SDK's
// low-level Server, so it runs on any Node the config's "node" finds.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema
} from "@modelcontextprotocol/sdk/types.js"

// A 1×1 red PNG and a tiny WAV (44-byte header, no samples).
const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
const wav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const text = (t) => ({ content: [{ type: "text", text: t }] })
const noArgs = { type: "object", properties: {} }

const server = new Server(
  { name: "conformance-fixture", version: "1.0.0" },
  {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: {},
      completions: {},
      logging: {}
    }
  }
)

const tools = [
  { name: "test_simple_text", description: "Returns simple text", inputSchema: noArgs },
  { name: "test_image_content", description: "Returns an image", inputSchema: noArgs },
  { name: "test_audio_content", description: "Returns audio", inputSchema: noArgs },
  { name: "test_embedded_resource", description: "Returns an embedded resource", inputSchema: noArgs },
  {
    name: "test_multiple_content_types",
    description: "Returns text, image and resource",
    inputSchema: noArgs
  },
  { name: "test_tool_with_logging", description: "Logs three messages while it runs", inputSchema: noArgs },
  { name: "test_error_handling", description: "Always fails", inputSchema: noArgs },
  { name: "test_tool_with_progress", description: "Reports progress 0, 50, 100 of 100", inputSchema: noArgs },
  {
    name: "test_sampling",
    description: "Asks the client's LLM",
    inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] }
  },
  {
    name: "test_elicitation",
    description: "Asks the user",
    inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] }
  },
  { name: "test_elicitation_sep1034_defaults", description: "Elicits with defaults", inputSchema: noArgs },
  {
    name: "test_elicitation_sep1330_enums",
    description: "Elicits with every enum form",
    inputSchema: noArgs
  },
  {
    name: "test_sampling_when_released",
    description: "Reports progress 0, waits until test://release is subscribed, then asks the client's LLM",
    inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] }
  },
  {
    name: "test_toggle_extra_tool",
    description: "Adds or removes the tool test_extra and says the tool list changed",
    inputSchema: noArgs
  },
  {
    name: "json_schema_2020_12_tool",
    description: "Tool with JSON Schema 2020-12 features",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: {
        address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } }
      },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false
    }
  }
]

const elicited = (r) =>
  text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)

const handlers = {
  test_simple_text: async () => text("This is a simple text response for testing."),
  test_image_content: async () => ({ content: [{ type: "image", data: png, mimeType: "image/png" }] }),
  test_audio_content: async () => ({ content: [{ type: "audio", data: wav, mimeType: "audio/wav" }] }),
  test_embedded_resource: async () => ({
    content: [
      {
        type: "resource",
        resource: {
          uri: "test://embedded-resource",
          mimeType: "text/plain",
          text: "This is an embedded resource content."
        }
      }
    ]
  }),
  test_multiple_content_types: async () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: png, mimeType: "image/png" },
      {
        type: "resource",
        resource: {
          uri: "test://mixed-content-resource",
          mimeType: "application/json",
          text: JSON.stringify({ test: "data", value: 123 })
        }
      }
    ]
  }),
  test_tool_with_logging: async (_args, extra) => {
    const log = (data) =>
      extra.sendNotification({ method: "notifications/message", params: { level: "info", data } })
    await log("Tool execution started")
    await sleep(50)
    await log("Tool processing data")
    await sleep(50)
    await log("Tool execution completed")
    return text("Tool with logging executed successfully")
  },
  test_error_handling: async () => ({
    isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }]
  }),
  test_tool_with_progress: async (_args, extra) => {
    const token = extra._meta?.progressToken
    for (const progress of [0, 50, 100]) {
      if (token !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, total: 100 }
        })
      }
      if (progress < 100) await sleep(50)
    }
    return text("Tool with progress executed successfully")
  },
  test_sampling: async (args) => {
    const r = await server.createMessage({
      messages: [{ role: "user", content: { type: "text", text: args.prompt } }],
      maxTokens: 100
    })
    return text(`LLM response: ${r.content.type === "text" ? r.content.text : JSON.stringify(r.content)}`)
  },
  test_elicitation: async (args) => {
    const r = await server.elicitInput({
      message: args.message,
      requestedSchema: {
        type: "object",
        properties: {
          username: { type: "string", description: "User's response" },
          email: { type: "string", description: "User's email address" }
        },
        required: ["username", "email"]
      }
    })
    return text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)
  },
  test_elicitation_sep1034_defaults: async () =>
    elicited(
      await server.elicitInput({
        message: "Please review and update the form fields with defaults",
        requestedSchema: {
          type: "object",
          properties: {
            name: { type: "string", description: "User name", default: "John Doe" },
            age: { type: "integer", description: "User age", default: 30 },
            score: { type: "number", description: "User score", default: 95.5 },
            status: {
              type: "string",
              description: "User status",
              enum: ["active", "inactive", "pending"],
              default: "active"
            },
            verified: { type: "boolean", description: "Verification status", default: true }
          },
          required: []
        }
      })
    ),
  test_elicitation_sep1330_enums: async () =>
    elicited(
      await server.elicitInput({
        message: "Please select options from the enum fields",
        requestedSchema: {
          type: "object",
          properties: {
            untitledSingle: {
              type: "string",
              description: "Untitled single",
              enum: ["option1", "option2", "option3"]
            },
            titledSingle: {
              type: "string",
              description: "Titled single",
              oneOf: [
                { const: "value1", title: "First Option" },
                { const: "value2", title: "Second Option" },
                { const: "value3", title: "Third Option" }
              ]
            },
            legacyEnum: {
              type: "string",
              description: "Legacy titled",
              enum: ["opt1", "opt2", "opt3"],
              enumNames: ["Option One", "Option Two", "Option Three"]
            },
            untitledMulti: {
              type: "array",
              description: "Untitled multi",
              items: { type: "string", enum: ["option1", "option2", "option3"] }
            },
            titledMulti: {
              type: "array",
              description: "Titled multi",
              items: {
                anyOf: [
                  { const: "value1", title: "First Choice" },
                  { const: "value2", title: "Second Choice" },
                  { const: "value3", title: "Third Choice" }
                ]
              }
            }
          },
          required: []
        }
      })
    ),
  // For the gateway's own test: a server's request must go to the client whose call caused it.
  test_sampling_when_released: async (args, extra) => {
    const token = extra._meta?.progressToken
    if (token !== undefined) {
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress: 0 }
      })
    }
    await released
    return handlers.test_sampling(args)
  },
  test_toggle_extra_tool: async () => {
    const at = tools.findIndex((t) => t.name === "test_extra")
    if (at >= 0) tools.splice(at, 1)
    else tools.push({ name: "test_extra", description: "Appears and disappears", inputSchema: noArgs })
    await server.sendToolListChanged()
    return text(at >= 0 ? "removed test_extra" : "added test_extra")
  },
  test_extra: async () => text("extra"),
  json_schema_2020_12_tool: async (args) => text(`Received: ${JSON.stringify(args)}`)
}

server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const handler = handlers[request.params.name]
  if (handler === undefined) throw new McpError(-32602, `Unknown tool: ${request.params.name}`)
  return handler(request.params.arguments ?? {}, { ...extra, _meta: request.params._meta })
})

const resources = [
  {
    uri: "test://static-text",
    name: "static-text",
    description: "A static text resource",
    mimeType: "text/plain"
  },
  {
    uri: "test://static-binary",
    name: "static-binary",
    description: "A static binary resource",
    mimeType: "image/png"
  },
  {
    uri: "test://watched-resource",
    name: "watched-resource",
    description: "A resource to subscribe to",
    mimeType: "text/plain"
  }
]
server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources }))
server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
  resourceTemplates: [
    {
      uriTemplate: "test://template/{id}/data",
      name: "template-data",
      description: "Data for an id",
      mimeType: "application/json"
    }
  ]
}))
server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  const uri = request.params.uri
  if (uri === "test://static-text")
    return {
      contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }]
    }
  if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: png }] }
  if (uri === "test://watched-resource")
    return { contents: [{ uri, mimeType: "text/plain", text: "watched" }] }
  const id = /^test:\/\/template\/([^/]+)\/data$/.exec(uri)?.[1]
  if (id !== undefined) {
    return {
      contents: [
        {
          uri,
          mimeType: "application/json",
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` })
        }
      ]
    }
  }
  throw new McpError(-32002, `Resource not found: ${uri}`)
})
let release = () => {}
const released = new Promise((resolve) => {
  release = resolve
})
server.setRequestHandler(SubscribeRequestSchema, async (request) => {
  if (request.params.uri === "test://release") release()
  return {}
})
server.setRequestHandler(UnsubscribeRequestSchema, async () => ({}))

const prompts = [
  { name: "test_simple_prompt", description: "A simple prompt" },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with arguments",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true }
    ]
  },
  {
    name: "test_prompt_with_embedded_resource",
    description: "A prompt that embeds a resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }]
  },
  { name: "test_prompt_with_image", description: "A prompt with an image" }
]
server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }))
server.setRequestHandler(GetPromptRequestSchema, async (request) => {
  const args = request.params.arguments ?? {}
  const user = (content) => ({ role: "user", content })
  switch (request.params.name) {
    case "test_simple_prompt":
      return { messages: [user({ type: "text", text: "This is a simple prompt for testing." })] }
    case "test_prompt_with_arguments":
      return {
        messages: [
          user({ type: "text", text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` })
        ]
      }
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          user({
            type: "resource",
            resource: {
              uri: args.resourceUri,
              mimeType: "text/plain",
              text: "Embedded resource content for testing."
            }
          }),
          user({ type: "text", text: "Please process the embedded resource above." })
        ]
      }
    case "test_prompt_with_image":
      return {
        messages: [
          user({ type: "image", data: png, mimeType: "image/png" }),
          user({ type: "text", text: "Please analyze the image above." })
        ]
      }
    default:
      throw new McpError(-32602, `Unknown prompt: ${request.params.name}`)
  }
})
server.setRequestHandler(CompleteRequestSchema, async (request) => {
  const value = request.params.argument.value
  const values = ["paris", "park", "party"].filter((v) => v.startsWith(value))
  return { completion: { values, total: values.length, hasMore: false } }
})
server.setRequestHandler(SetLevelRequestSchema, async () => ({}))

await server.connect(new StdioServerTransport())
