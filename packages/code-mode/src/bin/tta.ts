#!/usr/bin/env node
// Entry of the `tta` bin. Node's compile cache (V8 code cache on disk, in the OS temp dir) is on
// before the CLI's own modules load: a start then skips most of their compilation (-10% CPU for
// --help, -15% for a trivial exec, measured). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import { enableCompileCache } from "node:module"

enableCompileCache?.()
await import("./main.ts")
