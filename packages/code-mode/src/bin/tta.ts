#!/usr/bin/env node
import { constants } from "node:os"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
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

run(process.argv.slice(2)).pipe(
  Effect.provide(NodeServices.layer),
  runMain({
    disableErrorReporting: false,
    teardown: (exit, onExit) => onExit(exit._tag === "Success" ? lastExitCode() : 2)
  })
)
