// The `tta` process: the CLI under a runMain that stops cleanly on signals (see tta.ts for the entry).
import { constants } from "node:os"
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio"
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { lastExitCode, run } from "../Cli.ts"

// Type stripping of agent code is what we want; its "experimental" warning is noise on a CLI's stderr.
const emitWarning = process.emitWarning
process.emitWarning = ((warning: string | Error, ...rest: Array<never>) => {
  if (String(warning).includes("stripTypeScriptTypes")) return
  emitWarning.call(process, warning, ...rest)
}) as typeof process.emitWarning

// Like NodeRuntime.runMain, plus SIGHUP (a closed terminal or a supervisor's hang-up), and always an
// explicit exit once the main fiber is done: its finalizers have closed every server by then, and no
// stray handle (a paused stdin, a socket) may keep tta alive after that.
const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const
const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  let received: (typeof signals)[number] | undefined
  const interrupt = (signal: (typeof signals)[number]) => {
    received ??= signal
    fiber.interruptUnsafe(fiber.id)
  }
  for (const signal of signals) process.on(signal, interrupt)
  fiber.addObserver((exit) => {
    for (const signal of signals) process.off(signal, interrupt)
    // Stopped by a signal: the shell's convention, 128 + its number.
    teardown(exit, (code) => process.exit(received ? 128 + constants.signals[received] : code))
  })
})

// @effect/platform-node's NodeServices.layer, built from the package under it: depending on
// @effect/platform-node would install a redis client (its required peer) for every user of tta.
const nodeServices = Layer.provideMerge(
  NodeChildProcessSpawner.layer,
  Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeStdio.layer, NodeTerminal.layer)
)

run(process.argv.slice(2)).pipe(
  Effect.provide(nodeServices),
  runMain({
    disableErrorReporting: false,
    teardown: (exit, onExit) => onExit(exit._tag === "Success" ? lastExitCode() : 2)
  })
)
