#!/usr/bin/env node
// A sweep cell: `simclr-cell --config RESOLVED.json --json`, what every executor (local, Slurm,
// Ray) runs. The config is the one the study's plan resolved; src/cli/pretrain.ts `runCell`
// validates it once and runs it, without presets, flags or resolving it again. Quiet like
// bin/simclr.cjs (SIMCLR_VERBOSE=1 brings TensorFlow's log back).
"use strict";
const { quietTensorflow } = require("../lib/quiet.cjs");
quietTensorflow();
require("tsx/cjs/api").register();
const { runCell } = require("../src/cli/pretrain.ts");
runCell(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`simclr-cell: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
