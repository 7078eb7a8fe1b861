#!/usr/bin/env node
// Runs the test suite with Node's built-in test runner through tsx.
//   node scripts/run-tests.mjs            all tests (unit, integration, notebooks, browser)
//   node scripts/run-tests.mjs --unit     only test/**/*.test.ts outside test/integration and test/e2e
//   node scripts/run-tests.mjs FILE...    the named files
// Test files: test/**/*.test.ts. Slow suites live in test/integration/ and test/e2e/.
//
// The run gets its own temporary folder (TMPDIR=<system temp>/simclr-run-<pid>): every temp file
// of the tests and of the servers, kernels and tools they start goes there. At the end it must be
// empty (test/support/tmp.ts removes what tests make, pass or fail); what is left is listed and
// fails the run. The folder itself is removed either way, so nothing of a finished run stays in
// the system temp folder. (A private folder rather than comparing /tmp before and after: other
// runs and tools share /tmp, and their entries would count as ours.)
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

// Quiet by default (lib/quiet.cjs): TensorFlow's native log lines are dropped from the output
// unless SIMCLR_VERBOSE=1.
const { quietTensorflow, isNativeTensorflowLog, verbose } = createRequire(import.meta.url)(
  "../lib/quiet.cjs",
);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const unitOnly = argv.includes("--unit");
const named = argv.filter((a) => !a.startsWith("--"));

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".test.ts") ? [p] : [];
  });
}

let files = named.length ? named.map((f) => path.resolve(f)) : walk(path.join(ROOT, "test")).sort();
if (unitOnly) files = files.filter((f) => !/[/\\]test[/\\](integration|e2e)[/\\]/.test(f));
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
// Unit tests first (fast feedback), then integration, then end-to-end.
const rank = (f) => (/[/\\]e2e[/\\]/.test(f) ? 2 : /[/\\]integration[/\\]/.test(f) ? 1 : 0);
files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), `simclr-run-${process.pid}-`));
// tsx keeps its compile cache (and IPC pipes) in <tmp>/tsx-<uid>, shared between runs by design:
// the run's folder links to the system one, so the cache stays warm and is no leftover.
const TSX_CACHE = `tsx-${process.geteuid ? process.geteuid() : os.userInfo().username}`;
fs.mkdirSync(path.join(os.tmpdir(), TSX_CACHE), { recursive: true, mode: 0o700 });
fs.symlinkSync(path.join(os.tmpdir(), TSX_CACHE), path.join(runTmp, TSX_CACHE));
let status = 1;
try {
  const env = quietTensorflow({
    ...process.env,
    TMPDIR: runTmp,
    // Test files that import @tensorflow/tfjs-node directly get the defaults src/backend sets
    // before it loads TensorFlow (oneDNN on: environment.md, "Backends"), so they test what runs.
    TF_ENABLE_ONEDNN_OPTS: process.env.TF_ENABLE_ONEDNN_OPTS ?? "1",
    // the reporter's colours survive the pipe the filter reads
    ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {}),
  });
  status = await runFiltered(
    [
      "--import",
      "tsx",
      // The harness is an entry point: it hands the environment to the toolkit in each test process.
      "--import",
      "./test/support/environment.cjs",
      "--test",
      "--test-concurrency=1",
      "--test-reporter=spec",
      ...files,
    ],
    env,
  );
  const left = leftInTemp(runTmp);
  if (left.length > 0) {
    console.error(
      `\nrun-tests: the tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in their temp folder (removed now); each test must remove what it makes (test/support/tmp.ts):`,
    );
    for (const l of left) console.error(`  ${l}`);
    status = status || 1;
  }
} finally {
  fs.rmSync(runTmp, { recursive: true, force: true });
}
process.exit(status);

/**
 * Runs node with `args`; its stdout (the reporter, with the test files' stderr) passes through
 * line by line without TensorFlow's native log lines unless verbose. Resolves with the exit code.
 */
function runFiltered(args, env) {
  return new Promise((resolve) => {
    const quiet = !verbose(env);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ["inherit", quiet ? "pipe" : "inherit", "inherit"],
      env,
    });
    if (quiet) {
      const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.on("line", (line) => {
        if (!isNativeTensorflowLog(line)) process.stdout.write(`${line}\n`);
      });
    }
    // Ctrl-C or a kill ends the tests first, so the temp check and clean-up below still run.
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The entries left in `dir`, each with its size ("name (12.3 MB)"). */
function leftInTemp(dir) {
  const size = (p) => {
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) return st.size;
    return fs.readdirSync(p).reduce((n, e) => n + size(path.join(p, e)), 0);
  };
  return fs
    .readdirSync(dir)
    .filter((e) => e !== TSX_CACHE)
    .map((e) => {
      let bytes = 0;
      try {
        bytes = size(path.join(dir, e));
      } catch {
        // vanished while measured
      }
      return `${e} (${(bytes / 1e6).toFixed(1)} MB)`;
    });
}
