/**
 * Safe, stable names for the generated tree.
 *
 * Rules (also in the README):
 * - A name is cut into words at every run of characters other than ASCII letters and digits
 *   (accents are dropped first: `créer` → `creer`). The first word is lower-cased at its first
 *   letter (entirely when it is all capitals), later words are capitalised the same way:
 *   `list_directory` → `listDirectory`, `get-sum` → `getSum`, `LIST_FILES` → `listFiles`,
 *   `getURL` stays `getURL`.
 * - A name with no letters or digits becomes `tool` (`server` for servers); one that starts with a
 *   digit gets a leading `_`.
 * - Reserved words (and `index`, which would clash with the server's index.ts) get a trailing `_`:
 *   `delete` → `delete_`, `index` → `index_`.
 * - Collisions (compared case-insensitively, so file names are safe on every filesystem) are
 *   resolved in a fixed order: a tool whose original name already is the identifier keeps it,
 *   then the others in code-unit order of their original names; each later one gets `_2`, `_3`…
 *   The result depends only on the set of names, never on the order of the catalog.
 * - Server directories are the server name lower-cased, with runs of other characters turned into
 *   `-` (`My Server.v2` → `my-server-v2`); the server's namespace identifier follows the tool rules.
 */

const reservedWords = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false " +
    "finally for function if import in instanceof new null return super switch this throw true try " +
    "typeof var void while with yield let static implements interface package private protected public " +
    "await arguments eval undefined NaN Infinity globalThis"
  ).split(" ")
)

const words = (name: string): Array<string> =>
  name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)

const lowerFirst = (w: string): string =>
  /^[A-Z0-9]+$/.test(w) ? w.toLowerCase() : w.charAt(0).toLowerCase() + w.slice(1)

const upperFirst = (w: string): string => {
  const base = /^[A-Z0-9]+$/.test(w) ? w.toLowerCase() : w
  return base.charAt(0).toUpperCase() + base.slice(1)
}

/** `list_directory` → `listDirectory`; never empty, never starts with a digit. */
export const camelCase = (name: string, fallback = "tool"): string => {
  const ws = words(name)
  const joined = ws.length === 0 ? fallback : lowerFirst(ws[0]!) + ws.slice(1).map(upperFirst).join("")
  return /^[0-9]/.test(joined) ? `_${joined}` : joined
}

/** `list_directory` → `ListDirectory`; never empty, never starts with a digit. */
export const pascalCase = (name: string, fallback = "Type"): string => {
  const ws = words(name)
  const joined = ws.length === 0 ? fallback : ws.map(upperFirst).join("")
  return /^[0-9]/.test(joined) ? `_${joined}` : joined
}

/** Whether `name` can be used as a binding (function name, namespace) in an ES module. */
export const isReserved = (name: string): boolean => reservedWords.has(name)

/** A camelCase identifier that is never a reserved word nor `index`. */
export const identifier = (name: string, fallback = "tool"): string => {
  const id = camelCase(name, fallback)
  return isReserved(id) || id === "index" ? `${id}_` : id
}

/** A lower-case path segment: `My Server.v2` → `my-server-v2`. */
export const directory = (name: string): string => {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "-")
    .replace(/^-+|-+$/g, "")
  return slug.length === 0 ? "server" : slug
}

/** Code-unit order: the same on every machine and locale. */
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Gives each original name a unique name derived by `derive`, following the collision rules above.
 * Returns original → unique, in no particular order.
 */
export const assignUnique = (
  originals: ReadonlyArray<string>,
  derive: (original: string) => string
): Map<string, string> => {
  const items = originals.map((original) => ({ original, base: derive(original) }))
  items.sort((a, b) => {
    const ea = a.original === a.base ? 0 : 1
    const eb = b.original === b.base ? 0 : 1
    return ea - eb || compare(a.original, b.original)
  })
  const taken = new Set<string>()
  const out = new Map<string, string>()
  for (const { original, base } of items) {
    let name = base
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`
    taken.add(name.toLowerCase())
    out.set(original, name)
  }
  return out
}
