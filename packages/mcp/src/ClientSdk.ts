/**
 * What a connection needs of the MCP SDK (its `Client`, transports, notification schemas, the Ajv
 * validator), loaded with the first connection: see `Sdk.ts`. Internal to the package.
 */
export {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListToolsResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema
} from "@modelcontextprotocol/sdk/types.js"
export { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
export { open } from "./Connection.ts"
