/**
 * The MCP SDK on first use. Importing it costs more CPU than the rest of a `tta exec` that starts
 * no server (its types module builds its zod schemas at load), so nothing that runs before a
 * server is started imports it: the supervisor loads it to open the first connection, and code
 * that only runs with a connection (the passthrough's handlers, output validation) reads it here.
 */
type ClientSdk = typeof import("./ClientSdk.ts")

let loaded: ClientSdk | undefined

/** Loads the SDK parts a connection needs (once). */
export const load = async (): Promise<ClientSdk> => (loaded ??= await import("./ClientSdk.ts"))

/** The SDK parts, for code that only runs once a connection has been opened (so after `load`). */
export const loadedSdk = (): ClientSdk => {
  if (loaded === undefined) throw new Error("@tta/mcp: the MCP SDK was used before any connection was opened")
  return loaded
}
