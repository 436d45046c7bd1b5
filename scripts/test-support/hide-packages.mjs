// `node --import <this file>`: the packages named in TTA_HIDE_PACKAGES (comma-separated) resolve
// as if they were not installed (Node's own ERR_MODULE_NOT_FOUND and message), for import(),
// import.meta.resolve and require() alike. Tests use it to run our code as a user who did not
// install an optional peer dependency, without uninstalling it from the workspace.
import { registerHooks } from "node:module"

const hidden = (process.env.TTA_HIDE_PACKAGES ?? "").split(",").filter((name) => name !== "")

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (hidden.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
      const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`)
      error.code = "ERR_MODULE_NOT_FOUND"
      throw error
    }
    return nextResolve(specifier, context)
  }
})
