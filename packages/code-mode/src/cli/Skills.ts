/** `tta skills ls|show|rm`: the saved skills under `--dir`, read and removed without any server. */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import { lazy } from "./Lazy.ts"
import { oneLine } from "./Output.ts"
import { root } from "./Root.ts"

const action = () => import("./actions/Skills.ts")

const ls = Command.make("ls", {}, () =>
  Effect.gen(function* () {
    const shared = yield* root
    yield* lazy(action, (a) => a.ls(shared))
  }).pipe(oneLine)
).pipe(Command.withDescription("List saved skills"))

const show = Command.make("show", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const shared = yield* root
    yield* lazy(action, (a) => a.show({ ...shared, name }))
  }).pipe(oneLine)
).pipe(Command.withDescription("Show a skill's chosen version"))

const rm = Command.make("rm", { name: Argument.String("name") }, ({ name }) =>
  Effect.gen(function* () {
    const shared = yield* root
    yield* lazy(action, (a) => a.rm({ ...shared, name }))
  }).pipe(oneLine)
).pipe(Command.withDescription("Remove a skill and all its versions"))

export const skills = Command.make("skills").pipe(
  Command.withSubcommands([ls, show, rm]),
  Command.withDescription("Manage saved skills")
)
