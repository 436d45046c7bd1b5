// Agent code on a later run: the saved skill does the work; only its small answer comes back.
import { scanErrorHistory } from "./skills/error-history/index.ts"

export default await scanErrorHistory(__INPUT__)
