// The one place that lists the backends: each module registers itself by name (see Backend.ts).
import "./isolate/index.ts"
import "./quickjs/index.ts"
import "./e2b/index.ts"
