#!/usr/bin/env node
// The `simclr` command line: compiles src/ on the fly with tsx and runs src/cli/main.ts.
// `--verbose` (anywhere) or SIMCLR_VERBOSE=1 brings back TensorFlow's own log (lib/quiet.cjs);
// it is passed on to sweep cells through the environment.
"use strict";
const { quietTensorflow } = require("../lib/quiet.cjs");
const argv = process.argv.slice(2).filter((a) => a !== "--verbose");
if (argv.length < process.argv.length - 2) process.env.SIMCLR_VERBOSE = "1";
quietTensorflow();
require("tsx/cjs/api").register();
const { main } = require("../src/cli/main.ts");
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`simclr: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.SIMCLR_DEBUG) console.error(err);
    process.exitCode = 1;
  },
);
