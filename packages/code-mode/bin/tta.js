#!/usr/bin/env node
// The `tta` command. Committed (not built) so that installing the workspace can link it before the
// first build; it loads the compiled CLI.
import "../dist/bin/tta.js"
