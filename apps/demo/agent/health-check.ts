// Agent code: the (deliberately flaky) health check of one service. A failure throws, so the
// workflow's retry / timeout / circuit breaker around this execution decide what happens next.
import { flakyCheck } from "./servers/metrics/index.ts"

const input = __INPUT__ as { key: string; service: string; failFirst?: number; delayMs?: number }
export default await flakyCheck(input)
