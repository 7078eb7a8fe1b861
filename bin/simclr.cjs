#!/usr/bin/env node
// The `simclr` command line: compiles src/ on the fly with tsx and runs src/cli/main.ts.
"use strict";
require("tsx/cjs/api").register();
const { main } = require("../src/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`simclr: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.SIMCLR_DEBUG) console.error(err);
    process.exitCode = 1;
  },
);
