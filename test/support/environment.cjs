// Test harness entry point, loaded into every test process by scripts/run-tests.mjs
// (`--import tsx --import ./test/support/environment.cjs`): the toolkit reads no environment
// variable itself, so the harness reads them here and hands them in (TF_* set before TensorFlow
// loads, then MLFLOW_TRACKING_URI, SIMCLR_* and the environment child processes inherit). A test
// that changes a variable the toolkit uses calls configureFromEnv() again.
"use strict";
require("../../src/workbench/params.ts").configureFromEnv(process.env);
