#!/usr/bin/env node
// Native TensorFlow for @tensorflow/tfjs-node without Google's storage (environment.md, "Native TensorFlow").
//
// tfjs-node's own install script downloads libtensorflow 2.9.1 and a prebuilt addon from
// storage.googleapis.com, which offline machines and many clusters cannot reach. Instead:
//   1. pip downloads the `tensorflow-cpu` wheel from PyPI (no dependencies, into .simclr/wheels);
//   2. the two shared libraries that carry the C API (libtensorflow_cc.so.2, libtensorflow_framework.so.2)
//      and the C headers are extracted into .simclr/tensorflow/<version>-<flavor>/;
//   3. tfjs-node's own binding.gyp is built with node-gyp against them (its deps/ point there);
//   4. the addon is loaded once as a smoke test.
// Every step is skipped when its result is already in place. The GPU flavor (tensorflow wheel with
// CUDA 12 libraries) is selected with SIMCLR_TF_FLAVOR=gpu or when nvidia-smi sees a GPU.
//
// Usage: node scripts/setup-tensorflow.mjs [--quiet] [--force]

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TF_VERSION = "2.21.0";
const VENV_PY = path.join(ROOT, ".venv", "bin", "python");
const argv = new Set(process.argv.slice(2));
const quiet = argv.has("--quiet");
const force = argv.has("--force");

function log(msg) {
  if (!quiet) console.log(`[tensorflow] ${msg}`);
}
function fail(diagnosis, fix) {
  console.error(`[tensorflow] error: ${diagnosis}`);
  if (fix) console.error(`[tensorflow] fix: ${fix}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: quiet ? "pipe" : "inherit", ...opts });
  return { status: r.error ? 127 : (r.status ?? 1), stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? r.error ?? "") };
}

function gpuVisible() {
  const r = spawnSync("nvidia-smi", ["-L"], { stdio: "pipe" });
  return !r.error && r.status === 0 && /GPU \d/.test(String(r.stdout));
}

const flavor = process.env.SIMCLR_TF_FLAVOR ?? (gpuVisible() ? "gpu" : "cpu");
if (flavor !== "cpu" && flavor !== "gpu") fail(`SIMCLR_TF_FLAVOR=${flavor} is not one of cpu, gpu`);
const pkgName = flavor === "gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
const wheelName = flavor === "gpu" ? "tensorflow" : "tensorflow-cpu";
const pkgDir = path.join(ROOT, "node_modules", ...pkgName.split("/"));
const libDir = path.join(ROOT, ".simclr", "tensorflow", `${TF_VERSION}-${flavor}`);
const stamp = path.join(ROOT, ".simclr", "stamps", `tensorflow-${flavor}`);
const addon = path.join(pkgDir, "lib", "napi-v8", "tfjs_binding.node");
const stampValue = `${TF_VERSION} ${process.version} ${pkgDir}`;

if (!fs.existsSync(pkgDir)) {
  fail(`${pkgName} is not installed`, `npm install ${pkgName}@4.22.0 --ignore-scripts`);
}

function smokeTest() {
  const code = `const tf=require(${JSON.stringify(pkgName)});const x=tf.tensor([1,2,3]);if(tf.getBackend()!=="tensorflow"||x.sum().dataSync()[0]!==6)process.exit(3)`;
  return run(process.execPath, ["-e", code], { stdio: "pipe", env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" } });
}

if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === stampValue && fs.existsSync(addon)) {
  process.exit(0);
}

// 1-2. Libraries and headers from the wheel.
const haveLibs = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"].every((f) =>
  fs.existsSync(path.join(libDir, "lib", f)),
) && fs.existsSync(path.join(libDir, "include", "tensorflow", "c", "c_api.h"));
if (!haveLibs || force) {
  const wheels = path.join(ROOT, ".simclr", "wheels");
  fs.mkdirSync(wheels, { recursive: true });
  const find = () => fs.readdirSync(wheels).find((f) => f.startsWith(`${wheelName.replace("-", "_")}-${TF_VERSION}-`) && f.endsWith(".whl"));
  if (!find()) {
    if (!fs.existsSync(VENV_PY)) fail(".venv is missing", "npm run setup");
    log(`downloading the ${wheelName}==${TF_VERSION} wheel from PyPI (about 270 MB, cached by pip)`);
    const r = run(VENV_PY, ["-m", "pip", "download", "--disable-pip-version-check", "--no-deps", "-q", "-d", wheels, `${wheelName}==${TF_VERSION}`]);
    if (r.status !== 0 || !find()) fail(`pip could not download ${wheelName}==${TF_VERSION}`, "check that PyPI is reachable, then npm run setup -- --force");
  }
  const wheel = path.join(wheels, find());
  log(`extracting the C API libraries and headers from ${path.basename(wheel)}`);
  const tmp = `${libDir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const py = fs.existsSync(VENV_PY) ? VENV_PY : "python3";
  const extract = `
import sys, zipfile, os, shutil
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"):
            dst = os.path.join(out, "lib", os.path.basename(n))
        elif n.startswith("tensorflow/include/") and not n.endswith("/"):
            dst = os.path.join(out, "include", n[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with z.open(n) as src, open(dst, "wb") as f:
            shutil.copyfileobj(src, f, 1 << 20)
`;
  const r = run(py, ["-c", extract, wheel, tmp]);
  if (r.status !== 0) fail(`could not extract ${wheel}`, `rm -rf ${wheels} && npm run setup -- --force`);
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.renameSync(tmp, libDir);
}
// Linker names for binding.gyp's -ltensorflow -ltensorflow_framework.
for (const [link, target] of [
  ["libtensorflow.so", "libtensorflow_cc.so.2"],
  ["libtensorflow_framework.so", "libtensorflow_framework.so.2"],
]) {
  const p = path.join(libDir, "lib", link);
  if (!fs.existsSync(p)) fs.symlinkSync(target, p);
}

// 3. Build tfjs-node's addon against them.
const deps = path.join(pkgDir, "deps");
fs.rmSync(deps, { recursive: true, force: true });
fs.mkdirSync(deps, { recursive: true });
fs.symlinkSync(path.join(libDir, "lib"), path.join(deps, "lib"), "dir");
fs.symlinkSync(path.join(libDir, "include"), path.join(deps, "include"), "dir");
for (const tool of ["make", "g++"]) {
  if (spawnSync(tool, ["--version"], { stdio: "pipe" }).error) {
    fail(`${tool} was not found; building the TensorFlow addon needs a C++ toolchain`, "apt-get install build-essential");
  }
}
const nodeGyp = path.join(ROOT, "node_modules", "node-gyp", "bin", "node-gyp.js");
if (!fs.existsSync(nodeGyp)) fail("node-gyp is not installed", "npm install");
log(`building ${pkgName}'s addon against TensorFlow ${TF_VERSION} (${flavor})`);
const nodedir = fs.existsSync("/usr/include/node/node_api.h") && process.execPath.startsWith("/usr/") ? ["--nodedir=/usr"] : [];
const b = run(process.execPath, [
  nodeGyp, "rebuild", ...nodedir, "--napi_build_version=8", "--module_name=tfjs_binding",
  `--module_path=${path.dirname(addon)}`, "-j", "2",
], { cwd: pkgDir });
if (b.status !== 0 || !fs.existsSync(addon)) {
  fail(`node-gyp could not build ${pkgName}'s addon`, "see the compiler output above; then npm run setup -- --force");
}

// 4. Smoke test.
const s = smokeTest();
if (s.status !== 0) fail(`the built addon does not load: ${s.stderr.trim().split("\n").slice(-3).join(" | ")}`, "npm run setup -- --force");
fs.mkdirSync(path.dirname(stamp), { recursive: true });
fs.writeFileSync(stamp, stampValue);
log(`native TensorFlow ${TF_VERSION} (${flavor}) ready for ${pkgName}`);
