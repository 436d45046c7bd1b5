// Bundles the `tta` bin into dist/bin/tta.js (over tsc's one-line entry) plus lazily loaded chunks.
// Why: Node pays per ES module file (resolve, read, compile); `tta --help` through ~2,000 files cost
// 30-50x `node -e 0`, the same code in one file a few x. Parts used only by some commands (the
// TypeScript checker, the o200k tokenizer, QuickJS, E2B) stay behind dynamic imports, in chunks.
// Packages that find files next to themselves (a native addon, WASM, TypeScript's lib files) stay
// external, resolved from this package's node_modules at run time.
import { chmodSync, rmSync } from "node:fs"
import { join } from "node:path"
import { build } from "rolldown"

// The optional peers (QuickJS, E2B, TypeScript, gpt-tokenizer) must stay out of the bundle in any
// case: they are resolved from the user's install at run time, and may be absent.
const external = [
  /^isolated-vm(\/|$)/,
  /^quickjs-emscripten(\/|$)/,
  /^@e2b\//,
  /^typescript(-api)?(\/|$)/,
  /^gpt-tokenizer(\/|$)/
]

/** Writes `<outDir>/tta.js` (+ `chunks/`) from the TypeScript sources of every workspace package. */
export const bundle = async (outDir: string) => {
  rmSync(join(outDir, "chunks"), { recursive: true, force: true })
  await build({
    input: { tta: join(import.meta.dirname, "..", "src", "bin", "tta.ts") },
    platform: "node",
    // Workspace packages from their sources, as the tests run them (never a stale dist/).
    resolve: { conditionNames: ["@tta/source", "node", "import", "default"] },
    external,
    logLevel: "warn",
    output: {
      dir: outDir,
      format: "esm",
      entryFileNames: "[name].js",
      chunkFileNames: "chunks/[name]-[hash].js",
      sourcemap: true
    }
  })
  chmodSync(join(outDir, "tta.js"), 0o755)
  return join(outDir, "tta.js")
}

if (import.meta.main) {
  const t0 = performance.now()
  const file = await bundle(join(import.meta.dirname, "..", "dist", "bin"))
  console.log(`bundled ${file} in ${Math.round(performance.now() - t0)} ms`)
}
