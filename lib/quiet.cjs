// Quiet by default: the environment every entry point (bin/simclr.cjs and so sweep cells,
// lib/toolkit.cjs for notebooks, scripts/run-tests.mjs) sets before TensorFlow's native library
// loads, and the one knob that brings its log back: SIMCLR_VERBOSE=1 (`simclr --verbose`).
//
// TF_CPP_MIN_LOG_LEVEL=2 hides TensorFlow's info and warning lines (the CPU-feature notice and
// later ones). Two lines survive it: TensorFlow 2.21 logs "oneDNN custom operations are on"
// (and absl's "WARNING: All log messages before absl::InitializeLog() ...") from a static
// initializer while the library loads, before it reads TF_CPP_MIN_LOG_LEVEL; Node cannot redirect
// its own stderr around a library load. Where our code reads a process's output (the test runner,
// sweep cells' failure reasons) {@link isNativeTensorflowLog} drops them; in an interactive `simclr
// pretrain` they stay. Real warnings are the workbench's own lines and are never filtered.
"use strict";

/** Whether SIMCLR_VERBOSE asks for TensorFlow's own log ("1", "true", "yes"). */
function verbose(env = process.env) {
  return /^(1|true|yes|on)$/i.test((env.SIMCLR_VERBOSE ?? "").trim());
}

/**
 * Sets TensorFlow's log level in `env` (a value the user exported wins): 2 (errors only) by
 * default, 0 (everything) when verbose.
 */
function quietTensorflow(env = process.env) {
  if (env.TF_CPP_MIN_LOG_LEVEL === undefined) env.TF_CPP_MIN_LOG_LEVEL = verbose(env) ? "0" : "2";
  return env;
}

// absl's preamble, and native log lines: "I0000 00:00:1796581854.362429   12401 port.cc:153] ...".
const NATIVE_LINE =
  /^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR|[IW]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.-]+:\d+\] .*)$/;

/** Whether one output line is TensorFlow's native info/warning log (not an error: E/F lines stay). */
function isNativeTensorflowLog(line) {
  return NATIVE_LINE.test(line.replace(/\r$/, ""));
}

module.exports = { verbose, quietTensorflow, isNativeTensorflowLog };
