// Entry of the two-view producer's worker with a config's plugin augmentations (src/train/views.ts): a worker thread registers tsx's CommonJS hook itself (workers do not inherit
// it), then runs ./view-worker.ts. Started by src/data/worker.ts startTsWorker; a literal require, so the
// import graph shows which module the worker runs.
"use strict";
require("tsx/cjs/api").register();
require("./view-worker.ts");
