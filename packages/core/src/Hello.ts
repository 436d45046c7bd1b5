import { Effect } from "effect"

export const hello = (name: string): Effect.Effect<string> => Effect.succeed(`hello ${name}`)
