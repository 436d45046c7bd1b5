/**
 * isolated-vm gives V8 no hook for `import()` (V8 then throws "Not supported"), so each
 * `import(x)` in a module's source becomes `__tta_import("<the module's path>", x)`, which asks
 * the host to load the mounted module and hands back its namespace.
 *
 * A small scanner, not a parser: it skips comments, strings and template literals (with their
 * `${}` parts), and rewrites `import` followed by `(` where it starts a token. A regular-expression
 * literal containing `import(` would be rewritten too; agent code has no reason to write one.
 */
export const importFunction = "__tta_import"

const identChar = /[\w$]/

const skipQuoted = (src: string, i: number, quote: string): number => {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === "\\") j++
    else if (src[j] === quote || src[j] === "\n") return j + 1
  }
  return src.length
}

export const rewriteDynamicImports = (src: string, referrer: string): string => {
  if (!src.includes("import")) return src
  const call = `${importFunction}(${JSON.stringify(referrer)}, `
  let out = ""
  let copied = 0
  // Brace depths at which an open template literal's `${` part ends.
  const templates: Array<number> = []
  let braces = 0
  let i = 0
  const inTemplate = (from: number): number => {
    for (let j = from; j < src.length; j++) {
      if (src[j] === "\\") j++
      else if (src[j] === "`") return j + 1
      else if (src[j] === "$" && src[j + 1] === "{") {
        templates.push(braces)
        braces++
        return j + 2
      }
    }
    return src.length
  }
  while (i < src.length) {
    const c = src[i]!
    if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i)
      i = end === -1 ? src.length : end
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2)
      i = end === -1 ? src.length : end + 2
    } else if (c === "'" || c === '"') {
      i = skipQuoted(src, i, c)
    } else if (c === "`") {
      i = inTemplate(i + 1)
    } else if (c === "{") {
      braces++
      i++
    } else if (c === "}") {
      braces--
      i++
      if (templates.length > 0 && templates[templates.length - 1] === braces) {
        templates.pop()
        i = inTemplate(i)
      }
    } else if (
      c === "i" &&
      src.startsWith("import", i) &&
      (i === 0 || (!identChar.test(src[i - 1]!) && src[i - 1] !== ".")) &&
      /^import\s*\(/.test(src.slice(i, i + 64))
    ) {
      const paren = src.indexOf("(", i)
      out += src.slice(copied, i) + call
      copied = paren + 1
      i = paren + 1
    } else {
      i++
    }
  }
  return copied === 0 ? src : out + src.slice(copied)
}
