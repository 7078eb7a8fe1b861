// Runtime entry of the `simclr-workbook` package for notebooks and other CommonJS callers.
//
// tslab turns `import ... from "simclr-workbook"` into `require("simclr-workbook")` on every cell
// run and type-checks against package.json "types" (src/index.ts). This shim compiles src/ on the
// fly with tsx (no build step) and re-evaluates changed files: before each require it compares the
// modification times of every src/ file it loaded and, if one changed, drops all src/ modules from
// the require cache so the next evaluation sees the edit. node_modules (tfjs and its native backend)
// stay cached, so the backend and its memory survive a reload. See environment.md, "Notebooks".
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// Notebooks are an entry point: TensorFlow's native log stays quiet unless SIMCLR_VERBOSE=1.
require("./quiet.cjs").quietTensorflow();

const SRC = path.join(__dirname, "..", "src") + path.sep;
const KEY = Symbol.for("simclr-workbook.toolkit");
const state =
  globalThis[KEY] ||
  (globalThis[KEY] = { registered: false, configured: false, mtimes: new Map() });

if (!state.registered) {
  require("tsx/cjs/api").register();
  state.registered = true;
}

function changed() {
  for (const [file, mtime] of state.mtimes) {
    let now = -1;
    try {
      now = fs.statSync(file).mtimeMs;
    } catch {
      now = -1;
    }
    if (now !== mtime) return true;
  }
  // A new file under src/ that an already-loaded module may now import is picked up on reload too.
  return false;
}

const reload = changed();
if (reload) {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(SRC)) delete require.cache[id];
  }
  state.mtimes.clear();
}

module.exports = require("../src/index.ts");

// This shim is the notebooks' entry point: the toolkit reads no environment itself, so the
// variables (SIMCLR_*, MLFLOW_TRACKING_URI, TF_* before TensorFlow loads) are read here, on the
// first load and again after a reload (which starts src/ modules afresh).
if (!state.configured || reload) {
  module.exports.configureFromEnv(process.env);
  state.configured = true;
}

for (const id of Object.keys(require.cache)) {
  if (id.startsWith(SRC) && !state.mtimes.has(id)) {
    try {
      state.mtimes.set(id, fs.statSync(id).mtimeMs);
    } catch {
      /* deleted while loading */
    }
  }
}
// Evaluate this shim again on the next require so edits are noticed.
delete require.cache[__filename];
