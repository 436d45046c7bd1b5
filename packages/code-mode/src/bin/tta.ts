#!/usr/bin/env node
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { lastExitCode, run } from "../Cli.ts"

// Type stripping of agent code is what we want; its "experimental" warning is noise on a CLI's stderr.
const emitWarning = process.emitWarning
process.emitWarning = ((warning: string | Error, ...rest: Array<never>) => {
  if (String(warning).includes("stripTypeScriptTypes")) return
  emitWarning.call(process, warning, ...rest)
}) as typeof process.emitWarning

run(process.argv.slice(2)).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({
    disableErrorReporting: false,
    teardown: (exit, onExit) => onExit(exit._tag === "Success" ? lastExitCode() : 2)
  })
)
