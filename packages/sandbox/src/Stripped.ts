/**
 * The sources of one execution as the backends read them: each mounted `.ts` file has its types
 * stripped when a backend first reads it, not before. A mounted API tree has hundreds of files and
 * the code imports a few; and Node's type stripper costs ~25 ms CPU on its first call in a process,
 * which a one-shot run (`tta exec`) whose code needs no stripping should not pay for files it never
 * imports. The agent's own code is stripped up front (its syntax errors are reported before a run).
 */

/** Strips one file's types, or throws the CodeError saying where its syntax is wrong. */
export type Strip = (path: string, source: string) => string

export class StrippedModules implements ReadonlyMap<string, string> {
  readonly #raw: ReadonlyMap<string, string>
  readonly #done = new Map<string, string>()
  readonly #strip: Strip

  /** `ready`: sources already final (the stripped entry, files that are not code). */
  constructor(raw: ReadonlyMap<string, string>, ready: ReadonlyMap<string, string>, strip: Strip) {
    this.#raw = raw
    this.#strip = strip
    for (const [path, source] of ready) this.#done.set(path, source)
  }

  get size(): number {
    return this.#raw.size
  }

  has(path: string): boolean {
    return this.#raw.has(path)
  }

  get(path: string): string | undefined {
    const done = this.#done.get(path)
    if (done !== undefined) return done
    const raw = this.#raw.get(path)
    if (raw === undefined) return undefined
    const out = this.#strip(path, raw)
    this.#done.set(path, out)
    return out
  }

  keys(): MapIterator<string> {
    return this.#raw.keys()
  }

  *values(): MapIterator<string> {
    for (const path of this.#raw.keys()) yield this.get(path)!
  }

  *entries(): MapIterator<[string, string]> {
    for (const path of this.#raw.keys()) yield [path, this.get(path)!]
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries()
  }

  forEach(f: (value: string, key: string, map: ReadonlyMap<string, string>) => void, self?: unknown): void {
    for (const [path, source] of this.entries()) f.call(self, source, path, this)
  }
}
