import { Effect } from "effect"
import { SandboxUnavailable } from "../Errors.ts"
import * as OptionalPeer from "../OptionalPeer.ts"

/**
 * Fails a backend's layer when its optional peer is not installed: the user learns what to install
 * when choosing the backend, not at the first execution. Nothing is loaded here.
 */
export const peerCheck = (
  backend: string,
  peer: OptionalPeer.Peer
): Effect.Effect<void, SandboxUnavailable> =>
  Effect.suspend(() => {
    if (OptionalPeer.installed(peer)) return Effect.void
    const cause = OptionalPeer.missing(peer)
    return Effect.fail(new SandboxUnavailable({ backend, message: cause.message, cause }))
  })
