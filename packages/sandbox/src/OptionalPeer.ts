/**
 * Optional peer dependencies: heavy packages only some users need (QuickJS, the E2B SDK, the
 * TypeScript checker) are not installed with ours. The feature that needs one checks for it when
 * it is chosen and loads it on first use; when it is missing, the error names what to install.
 */
import { Schema } from "effect"

/** A package we use when it is installed beside ours. */
export interface Peer {
  /** The npm package name, as `import()` sees it. */
  readonly name: string
  /** What the user runs to get it (a version our code is tested with). */
  readonly install: string
  /** The feature that needs it, for the message ("the quickjs sandbox backend"). */
  readonly feature: string
}

/** A feature was asked for whose optional peer dependency is not installed. */
export class MissingPeerDependency extends Schema.TaggedError<MissingPeerDependency>()(
  "MissingPeerDependency",
  {
    package: Schema.String,
    feature: Schema.String,
    install: Schema.String,
    message: Schema.String
  }
) {}

export const missing = (peer: Peer): MissingPeerDependency =>
  new MissingPeerDependency({
    package: peer.name,
    feature: peer.feature,
    install: peer.install,
    message: `${peer.feature} needs ${peer.name}, an optional peer dependency that is not installed: ${peer.install}`
  })

/** Whether an error is Node's "no such package" for `name` itself (not for a file inside it). */
export const isNotFound = (error: unknown, name: string): boolean => {
  const e = error as { code?: unknown; message?: unknown } | undefined
  return (
    (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") &&
    typeof e.message === "string" &&
    (e.message.includes(`'${name}'`) || e.message.includes(`'${name}/`) || e.message.includes(`"${name}"`))
  )
}

/**
 * Whether `peer` resolves from here, without loading it (`import.meta.resolve` reads package.json
 * files only), so choosing a feature can fail at once while loading waits for first use.
 */
export const installed = (peer: Peer): boolean => {
  try {
    import.meta.resolve(peer.name)
    return true
  } catch (error) {
    if (isNotFound(error, peer.name)) return false
    throw error
  }
}

/** The peers of this package, with the versions its tests run. */
export const quickjs: Peer = {
  name: "quickjs-emscripten",
  install: "npm install quickjs-emscripten@^0.32.0",
  feature: "the quickjs sandbox backend"
}

export const e2b: Peer = {
  name: "@e2b/code-interpreter",
  install: "npm install @e2b/code-interpreter@^2.8.0",
  feature: "the e2b sandbox backend"
}
