#!/usr/bin/env node
// Setup: brings a fresh clone to a working state, idempotently (environment.md, "Setup").
//
// Steps, each skipped when its stamp says it is already done:
//   1. prerequisites (Node >= 20.19, python3 with venv, a C++ toolchain for the TensorFlow addon)
//   2. Node dependencies (npm ci / npm install with install scripts off, see .npmrc)
//   3. the project-local Python environment .venv (requirements.txt: JupyterLab, MLflow, nbclient, plotly)
//   4. the tslab kernel registered into .venv (never into the user's global Jupyter)
//   5. node_modules/simclr-workbook -> the project root, so notebooks import the toolkit by name
//   6. native TensorFlow for @tensorflow/tfjs-node (scripts/setup-tensorflow.mjs; failure only warns:
//      the backend falls back to wasm and says so)
//
// This file is plain JavaScript with no dependencies: it runs before node_modules exists.
// Usage: node scripts/setup.mjs [--quiet] [--force] [--skip-tensorflow]

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE_DIR = path.join(ROOT, ".simclr");
const STAMP_DIR = path.join(STATE_DIR, "stamps");
const VENV = path.join(ROOT, ".venv");
const VENV_PY = path.join(VENV, "bin", "python");
const KERNEL_NAME = "simclr-tslab";
const args = new Set(process.argv.slice(2));
const quiet = args.has("--quiet");
const force = args.has("--force");

/** Print a progress line unless --quiet. */
function log(msg) {
  if (!quiet) console.log(`[setup] ${msg}`);
}

/** Stop setup with a one-line diagnosis and the command that fixes it. */
function fail(diagnosis, fix) {
  console.error(`[setup] error: ${diagnosis}`);
  if (fix) console.error(`[setup] fix: ${fix}`);
  process.exit(1);
}

/** Run a command, inheriting output; returns the exit status. */
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: quiet ? "pipe" : "inherit", ...opts });
  if (r.error) return { status: 127, error: r.error, stdout: "", stderr: String(r.error) };
  return { status: r.status ?? 1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** Run a command capturing output. */
function capture(cmd, argv, opts = {}) {
  return run(cmd, argv, { ...opts, stdio: "pipe" });
}

function hashFiles(files, extra = "") {
  const h = createHash("sha256");
  for (const f of files) {
    const p = path.join(ROOT, f);
    h.update(f);
    h.update(fs.existsSync(p) ? fs.readFileSync(p) : "missing");
  }
  h.update(extra);
  return h.digest("hex").slice(0, 16);
}

function stampOk(name, value) {
  if (force) return false;
  const p = path.join(STAMP_DIR, name);
  return fs.existsSync(p) && fs.readFileSync(p, "utf8") === value;
}

function writeStamp(name, value) {
  fs.mkdirSync(STAMP_DIR, { recursive: true });
  fs.writeFileSync(path.join(STAMP_DIR, name), value);
}

// 1. Prerequisites --------------------------------------------------------------------------
function checkPrerequisites() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(
      `Node.js ${process.versions.node} is too old; simclr-workbook needs >= 20.19 (require() of ES modules)`,
      "install Node.js 20.19+ or 22 LTS from https://nodejs.org or your package manager",
    );
  }
  const py = capture("python3", [
    "-c",
    "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])",
  ]);
  if (py.status !== 0) {
    const missing = capture("python3", ["--version"]).status !== 0;
    fail(
      missing ? "python3 was not found on PATH" : "python3 has no working venv/ensurepip module",
      missing
        ? "install Python 3.10+ (Debian/Ubuntu: apt-get install python3 python3-venv)"
        : "apt-get install python3-venv (or use a python3 build that ships venv and ensurepip)",
    );
  }
  const [pmaj, pmin] = py.stdout.trim().split(".").map(Number);
  if (pmaj < 3 || (pmaj === 3 && pmin < 10)) {
    fail(
      `python3 is ${py.stdout.trim()}; JupyterLab 4 and MLflow 3 need >= 3.10`,
      "install Python 3.10+",
    );
  }
}

// 2. Node dependencies ----------------------------------------------------------------------
function ensureNodeDeps() {
  const stamp = hashFiles(["package.json", "package-lock.json"], process.version);
  const installed = fs.existsSync(path.join(ROOT, "node_modules", ".package-lock.json"));
  if (installed && stampOk("node-deps", stamp)) return;
  const hasLock = fs.existsSync(path.join(ROOT, "package-lock.json"));
  const npmArgs = hasLock && !installed ? ["ci"] : ["install"];
  // Install scripts are off on purpose (.npmrc ignore-scripts=true): tfjs-node's script downloads
  // libtensorflow from Google's storage (unreachable offline) and is replaced by step 6; zeromq
  // ships prebuilt binaries that need no script. Both are verified below.
  log(`installing Node dependencies (npm ${npmArgs[0]})`);
  const r = run("npm", [...npmArgs, "--ignore-scripts", "--no-audit", "--no-fund"]);
  if (r.status !== 0)
    fail("npm could not install the Node dependencies", `cd ${ROOT} && npm install`);
  const zmq = capture(process.execPath, ["-e", "require('zeromq')"]);
  if (zmq.status !== 0) {
    fail(
      `zeromq (needed by the tslab kernel) did not load: ${zmq.stderr.trim().split("\n").pop()}`,
      "rm -rf node_modules/zeromq && npm run setup (zeromq ships prebuilt binaries for linux/darwin/win32 x64 and arm64)",
    );
  }
  writeStamp("node-deps", stamp);
  // npm ci wipes node_modules and so the native addon; setup-tensorflow.mjs notices the missing addon
  // (its stamp records the addon's size) and rebuilds it.
}

// 3. Python virtual environment -------------------------------------------------------------
function ensureVenv() {
  const stamp = hashFiles(["requirements.txt"]);
  const probe = () =>
    capture(VENV_PY, [
      "-c",
      "import jupyterlab, mlflow, nbclient, nbformat, plotly, jupyter_client",
    ]);
  if (fs.existsSync(VENV_PY) && stampOk("venv", stamp) && probe().status === 0) return;
  if (fs.existsSync(VENV) && capture(VENV_PY, ["-c", "import sys"]).status !== 0) {
    log(".venv is broken (its python does not start); recreating it");
    fs.rmSync(VENV, { recursive: true, force: true });
  }
  if (!fs.existsSync(VENV_PY)) {
    log("creating the Python environment .venv");
    const r = run("python3", ["-m", "venv", VENV]);
    if (r.status !== 0)
      fail("python3 -m venv .venv failed", "apt-get install python3-venv, then npm run setup");
  }
  log("installing JupyterLab, MLflow, nbclient and plotly into .venv (pinned in requirements.txt)");
  const r = run(VENV_PY, [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "-q",
    "-r",
    "requirements.txt",
  ]);
  if (r.status !== 0) {
    fail("pip could not install requirements.txt into .venv", "rm -rf .venv && npm run setup");
  }
  const p = probe();
  if (p.status !== 0)
    fail(
      `.venv is incomplete: ${p.stderr.trim().split("\n").pop()}`,
      "rm -rf .venv && npm run setup",
    );
  writeStamp("venv", stamp);
}

// 4. tslab kernel registered into .venv -----------------------------------------------------
/** The kernel spec: absolute paths, so a moved checkout is detected as stale and rewritten. */
function kernelSpec() {
  return {
    argv: [
      process.execPath,
      path.join(ROOT, "node_modules", "tslab", "bin", "tslab"),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript (simclr-workbook)",
    language: "typescript",
    env: { SIMCLR_ROOT: ROOT },
    metadata: { "simclr-workbook": { root: ROOT } },
  };
}

function ensureKernel() {
  const dir = path.join(VENV, "share", "jupyter", "kernels", KERNEL_NAME);
  const file = path.join(dir, "kernel.json");
  const want = JSON.stringify(kernelSpec(), null, 2) + "\n";
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === want) return;
  log(
    fs.existsSync(file)
      ? `kernel ${KERNEL_NAME} is stale; rewriting it`
      : `registering kernel ${KERNEL_NAME} in .venv`,
  );
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, want);
}

// 5. The toolkit importable by name ---------------------------------------------------------
function ensureSelfLink() {
  const link = path.join(ROOT, "node_modules", "simclr-workbook");
  let ok = false;
  try {
    ok = fs.realpathSync(link) === fs.realpathSync(ROOT);
  } catch {
    ok = false;
  }
  if (ok) return;
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync("..", link, "dir");
  log("linked node_modules/simclr-workbook -> project root");
}

// 6. Native TensorFlow ----------------------------------------------------------------------
function ensureTensorflow() {
  if (args.has("--skip-tensorflow") || process.env.SIMCLR_SKIP_TENSORFLOW === "1") return;
  const script = path.join(ROOT, "scripts", "setup-tensorflow.mjs");
  if (!fs.existsSync(script)) return;
  const r = run(process.execPath, [
    script,
    ...(quiet ? ["--quiet"] : []),
    ...(force ? ["--force"] : []),
  ]);
  if (r.status !== 0) {
    console.warn(
      "[setup] warning: native TensorFlow for tfjs-node could not be set up; training falls back to the wasm backend. " +
        "Fix: see the message above, then `npm run setup -- --force`.",
    );
  }
}

checkPrerequisites();
ensureNodeDeps();
ensureVenv();
ensureKernel();
ensureSelfLink();
ensureTensorflow();
log("ready");
