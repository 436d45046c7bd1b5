/**
 * The scripted agent: the code a model would write lives in plain files under apps/demo/agent/.
 * A file that needs data names it `__INPUT__`; the step fills in a JSON literal, as a model
 * writes the values it already knows into its code.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { demoRoot } from "./Servers.ts"

export const agentDir = join(demoRoot, "agent")

const cache = new Map<string, string>()

/** The source of `agent/<file>`. */
export const source = (file: string): string => {
  let text = cache.get(file)
  if (text === undefined) {
    text = readFileSync(join(agentDir, file), "utf8")
    cache.set(file, text)
  }
  return text
}

/** `agent/<file>` with `__INPUT__` replaced by `input` as JSON. */
export const code = (file: string, input?: unknown): string => {
  const text = source(file)
  if (input === undefined) return text
  if (!text.includes("__INPUT__")) throw new Error(`agent/${file} takes no input (no __INPUT__ in it)`)
  return text.replaceAll("__INPUT__", JSON.stringify(input))
}

/**
 * Code saved as a skill lives at `skills/<name>/index.ts`, two levels below the API tree, so its
 * imports of `./servers/...` become `../../servers/...` (what a model does when it saves code).
 */
export const asSkill = (code: string): string => code.replaceAll(`from "./servers/`, `from "../../servers/`)
