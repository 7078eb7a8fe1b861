#!/usr/bin/env node
// Runs the test suite with Node's built-in test runner through tsx.
//   node scripts/run-tests.mjs            all tests (unit, integration, notebooks, browser)
//   node scripts/run-tests.mjs --unit     only test/**/*.test.ts outside test/integration and test/e2e
//   node scripts/run-tests.mjs FILE...    the named files
// Test files: test/**/*.test.ts. Slow suites live in test/integration/ and test/e2e/.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

const r = spawnSync(
  process.execPath,
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
  {
    cwd: ROOT,
    stdio: "inherit",
    // Test files that import @tensorflow/tfjs-node directly get the defaults src/backend sets
    // before it loads TensorFlow (oneDNN on: environment.md, "Backends"), so they test what runs.
    env: {
      ...process.env,
      TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2",
      TF_ENABLE_ONEDNN_OPTS: process.env.TF_ENABLE_ONEDNN_OPTS ?? "1",
    },
  },
);
process.exit(r.status ?? 1);
