/**
 * The TypeScript compiler API that type-checks agent code, an optional peer dependency: TypeScript
 * 5.9 or 6.x as `typescript`, or — in a project on TypeScript 7, which has no JavaScript API — the
 * same installed under the alias `typescript-api`. Found without loading (package.json only);
 * loaded (~9 MB of JavaScript) when the first checker is made.
 */
import { createRequire } from "node:module"
import { OptionalPeer } from "@tta/sandbox"
import type ts from "typescript-api"

export const peer: OptionalPeer.Peer = {
  name: "typescript",
  install:
    "npm install typescript@~5.9.0 (beside TypeScript 7: npm install typescript-api@npm:typescript@~5.9.0)",
  feature: "type-checking agent code"
}

// The alias first: beside TypeScript 7, `typescript` resolves to 7, which has no API.
const names = ["typescript-api", "typescript"] as const
const require = createRequire(import.meta.url)

const hasApi = (version: string) => {
  const [major = 0, minor = 0] = version.split(".").map(Number)
  return major === 6 || (major === 5 && minor >= 9)
}

const find = (): string | undefined => {
  for (const name of names) {
    try {
      if (hasApi((require(`${name}/package.json`) as { version: string }).version)) return name
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (!OptionalPeer.isNotFound(error, name) && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error
    }
  }
  return undefined
}

let loaded: typeof ts | undefined

/** Whether a TypeScript with the compiler API is installed (nothing is loaded to find out). */
export const available = (): boolean => loaded !== undefined || find() !== undefined

/** The compiler API; throws `MissingPeerDependency` naming what to install when there is none. */
export const load = (): typeof ts => {
  if (loaded !== undefined) return loaded
  const name = find()
  if (name === undefined) throw OptionalPeer.missing(peer)
  loaded = require(name) as typeof ts
  return loaded
}
