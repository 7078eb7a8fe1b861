// Entry of the image-folder decoder's worker (src/data/imagefolder.ts): a worker thread registers tsx's CommonJS hook itself (workers do not inherit
// it), then runs ./decodeWorker.ts. Started by src/data/worker.ts startTsWorker; a literal require, so the
// import graph shows which module the worker runs.
"use strict";
require("tsx/cjs/api").register();
require("./decodeWorker.ts");
