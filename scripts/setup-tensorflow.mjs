#!/usr/bin/env node
// Native TensorFlow for @tensorflow/tfjs-node without Google's storage (environment.md, "Native TensorFlow").
//
// tfjs-node's own install script downloads libtensorflow 2.9.1 and a prebuilt addon from
// storage.googleapis.com, which offline machines and many clusters cannot reach. Instead:
//   1. pip downloads the TensorFlow wheel from PyPI (no dependencies, into .simclr/wheels):
//      `tensorflow-cpu` (cpu flavor) or `tensorflow` (gpu flavor, built with CUDA);
//   2. the two shared libraries that carry the C API (libtensorflow_cc.so.2, libtensorflow_framework.so.2)
//      and the C headers are extracted into .simclr/tensorflow/<version>-<flavor>/;
//      gpu flavor: the NVIDIA CUDA/cuDNN wheels that the wheel's `and-cuda` extra names (CUDA 12.5+,
//      cuDNN 9) are downloaded too and their lib/*.so* extracted beside libtensorflow, where its
//      RUNPATH ($ORIGIN) finds them; only the NVIDIA driver must come from the system;
//   3. the addon's own binding.gyp (@tensorflow/tfjs-node, or @tensorflow/tfjs-node-gpu for the gpu
//      flavor, installed with --no-save if missing) is built with node-gyp against them;
//   4. the addon is loaded once as a smoke test (gpu flavor: and reports whether TensorFlow sees a GPU).
// Every step is skipped when its result is already in place; a lock makes concurrent runs (several
// `npm test` at once) wait for one another instead of extracting over each other. The flavor is
// SIMCLR_TF_FLAVOR=cpu|gpu, default gpu when nvidia-smi sees a GPU, else cpu.
//
// Usage: node scripts/setup-tensorflow.mjs [--quiet] [--force]

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TF_VERSION = "2.21.0";
const TFJS_VERSION = "4.22.0";
const VENV_PY = path.join(ROOT, ".venv", "bin", "python");
const argv = new Set(process.argv.slice(2));
const quiet = argv.has("--quiet");
const force = argv.has("--force");

function log(msg) {
  if (!quiet) console.log(`[tensorflow] ${msg}`);
}
function fail(diagnosis, fix) {
  releaseLock();
  console.error(`[tensorflow] error: ${diagnosis}`);
  if (fix) console.error(`[tensorflow] fix: ${fix}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: quiet ? "pipe" : "inherit", ...opts });
  return {
    status: r.error ? 127 : (r.status ?? 1),
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? r.error ?? ""),
  };
}

function gpuVisible() {
  const r = spawnSync("nvidia-smi", ["-L"], { stdio: "pipe" });
  return !r.error && r.status === 0 && /GPU \d/.test(String(r.stdout));
}

const flavor = process.env.SIMCLR_TF_FLAVOR ?? (gpuVisible() ? "gpu" : "cpu");
if (flavor !== "cpu" && flavor !== "gpu") fail(`SIMCLR_TF_FLAVOR=${flavor} is not one of cpu, gpu`);
const gpu = flavor === "gpu";
const pkgName = gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
const wheelName = gpu ? "tensorflow" : "tensorflow-cpu";
const pkgDir = path.join(ROOT, "node_modules", ...pkgName.split("/"));
const libDir = path.join(ROOT, ".simclr", "tensorflow", `${TF_VERSION}-${flavor}`);
const wheels = path.join(ROOT, ".simclr", "wheels");
const stamp = path.join(ROOT, ".simclr", "stamps", `tensorflow-${flavor}`);
const addon = path.join(pkgDir, "lib", "napi-v8", "tfjs_binding.node");
const stampValue = () =>
  `${TF_VERSION} ${process.version} ${pkgDir} ${fs.existsSync(addon) ? fs.statSync(addon).size : 0}`;
const done = () =>
  !force &&
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, "utf8") === stampValue() &&
  fs.existsSync(addon);

// Lock: one setup at a time per checkout (mkdir is atomic); a dead holder's lock is taken over.
const lockDir = path.join(ROOT, ".simclr", "locks", `tensorflow-${flavor}`);
let haveLock = false;
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}
function acquireLock() {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      haveLock = true;
      return;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(lockDir, "pid"), "utf8"));
    } catch {
      holder = 0; // being written: wait
    }
    if (holder && !alive(holder)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      fail(`another setup (pid ${holder}) has held ${lockDir} for 30 minutes`, `rm -rf ${lockDir}`);
    if (!told) log(`waiting for another TensorFlow setup (pid ${holder}) to finish`);
    told = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
}
function releaseLock() {
  if (haveLock) fs.rmSync(lockDir, { recursive: true, force: true });
  haveLock = false;
}

if (done()) process.exit(0);
acquireLock();
if (done()) {
  releaseLock(); // another process finished it while we waited
  process.exit(0);
}

// 0. The Node package (the gpu one is not a dependency: installed here, outside package.json).
if (!fs.existsSync(pkgDir)) {
  if (!gpu)
    fail(`${pkgName} is not installed`, `npm install --ignore-scripts ${pkgName}@${TFJS_VERSION}`);
  log(`installing ${pkgName}@${TFJS_VERSION} (no install scripts; not saved to package.json)`);
  const r = run("npm", [
    "install",
    "--no-save",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    `${pkgName}@${TFJS_VERSION}`,
  ]);
  if (r.status !== 0 || !fs.existsSync(pkgDir))
    fail(
      `npm could not install ${pkgName}`,
      `npm install --no-save --ignore-scripts ${pkgName}@${TFJS_VERSION}`,
    );
}

const pip = (args) => {
  if (!fs.existsSync(VENV_PY)) fail(".venv is missing", "npm run setup");
  return run(VENV_PY, [
    "-m",
    "pip",
    "download",
    "--disable-pip-version-check",
    "--no-deps",
    "--only-binary=:all:",
    "-q",
    "-d",
    wheels,
    ...args,
  ]);
};
const py = fs.existsSync(VENV_PY) ? VENV_PY : "python3";

// 1-2. Libraries and headers from the wheel.
const haveLibs =
  ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"].every((f) =>
    fs.existsSync(path.join(libDir, "lib", f)),
  ) &&
  fs.existsSync(path.join(libDir, "include", "tensorflow", "c", "c_api.h")) &&
  (!gpu || fs.existsSync(path.join(libDir, "lib", "cuda-libs.txt")));
if (!haveLibs || force) {
  fs.mkdirSync(wheels, { recursive: true });
  const find = () =>
    fs
      .readdirSync(wheels)
      .find(
        (f) => f.startsWith(`${wheelName.replace("-", "_")}-${TF_VERSION}-`) && f.endsWith(".whl"),
      );
  if (!find()) {
    log(
      `downloading the ${wheelName}==${TF_VERSION} wheel from PyPI (${gpu ? "about 600" : "about 270"} MB)`,
    );
    const r = pip([`${wheelName}==${TF_VERSION}`]);
    if (r.status !== 0 || !find())
      fail(
        `pip could not download ${wheelName}==${TF_VERSION}`,
        "check that PyPI is reachable, then npm run setup -- --force",
      );
  }
  const wheel = path.join(wheels, find());
  const cudaWheels = [];
  if (gpu) {
    // The CUDA/cuDNN wheels the TensorFlow wheel itself asks for (its `and-cuda` extra).
    const meta = run(
      py,
      [
        "-c",
        `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    for line in z.read(name).decode().splitlines():
        if line.startswith("Requires-Dist:") and 'extra == "and-cuda"' in line:
            print(line.split(":", 1)[1].split(";")[0].strip())
`,
        wheel,
      ],
      { stdio: "pipe" },
    );
    const specs = meta.stdout
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean);
    if (meta.status !== 0 || specs.length === 0)
      fail(
        `could not read the CUDA requirements from ${path.basename(wheel)}`,
        `rm ${wheel} && npm run setup -- --force`,
      );
    log(
      `downloading the CUDA and cuDNN wheels TensorFlow ${TF_VERSION} asks for (${specs.join(", ")}; several GB)`,
    );
    const before = new Set(fs.readdirSync(wheels));
    const r = pip(specs);
    if (r.status !== 0)
      fail(
        "pip could not download the NVIDIA CUDA/cuDNN wheels",
        "check that PyPI is reachable, then SIMCLR_TF_FLAVOR=gpu npm run setup -- --force",
      );
    const names = specs.map((s) =>
      s
        .split(/[<>=!~ ]/)[0]
        .replace(/-/g, "_")
        .toLowerCase(),
    );
    for (const f of fs.readdirSync(wheels)) {
      if (
        f.endsWith(".whl") &&
        (names.some((n) => f.toLowerCase().startsWith(`${n}-`)) || !before.has(f))
      )
        cudaWheels.push(path.join(wheels, f));
    }
  }
  log(
    `extracting the C API libraries and headers from ${path.basename(wheel)}${gpu ? " and the CUDA libraries" : ""}`,
  );
  const tmp = `${libDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const extract = `
import sys, zipfile, os, shutil
whl, out, cuda = sys.argv[1], sys.argv[2], sys.argv[3:]
def copy(z, n, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with z.open(n) as src, open(dst, "wb") as f:
        shutil.copyfileobj(src, f, 1 << 20)
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"):
            copy(z, n, os.path.join(out, "lib", os.path.basename(n)))
        elif n.startswith("tensorflow/include/") and not n.endswith("/"):
            copy(z, n, os.path.join(out, "include", n[len("tensorflow/include/"):]))
got = []
for w in cuda:
    with zipfile.ZipFile(w) as z:
        for n in z.namelist():
            parts = n.split("/")
            if parts[0] == "nvidia" and "lib" in parts[:-1] and ".so" in parts[-1]:
                copy(z, n, os.path.join(out, "lib", parts[-1]))
                got.append(parts[-1])
if cuda:
    with open(os.path.join(out, "lib", "cuda-libs.txt"), "w") as f:
        f.write("\\n".join(sorted(got)) + "\\n")
`;
  const r = run(py, ["-c", extract, wheel, tmp, ...cudaWheels]);
  if (r.status !== 0 || !fs.existsSync(path.join(tmp, "lib", "libtensorflow_cc.so.2"))) {
    fs.rmSync(tmp, { recursive: true, force: true });
    fail(`could not extract ${wheel}`, `rm -rf ${wheels} && npm run setup -- --force`);
  }
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

// 3. Build the addon against them.
const deps = path.join(pkgDir, "deps");
fs.rmSync(deps, { recursive: true, force: true });
fs.mkdirSync(deps, { recursive: true });
fs.symlinkSync(path.join(libDir, "lib"), path.join(deps, "lib"), "dir");
fs.symlinkSync(path.join(libDir, "include"), path.join(deps, "include"), "dir");
for (const tool of ["make", "g++"]) {
  if (spawnSync(tool, ["--version"], { stdio: "pipe" }).error) {
    fail(
      `${tool} was not found; building the TensorFlow addon needs a C++ toolchain`,
      "apt-get install build-essential",
    );
  }
}
const nodeGyp = path.join(ROOT, "node_modules", "node-gyp", "bin", "node-gyp.js");
if (!fs.existsSync(nodeGyp)) fail("node-gyp is not installed", "npm install");
log(`building ${pkgName}'s addon against TensorFlow ${TF_VERSION} (${flavor})`);
const nodedir =
  fs.existsSync("/usr/include/node/node_api.h") && process.execPath.startsWith("/usr/")
    ? ["--nodedir=/usr"]
    : [];
const b = run(
  process.execPath,
  [
    nodeGyp,
    "rebuild",
    ...nodedir,
    "--napi_build_version=8",
    "--module_name=tfjs_binding",
    `--module_path=${path.dirname(addon)}`,
    "-j",
    "2",
  ],
  { cwd: pkgDir },
);
if (b.status !== 0 || !fs.existsSync(addon)) {
  fail(
    `node-gyp could not build ${pkgName}'s addon`,
    "see the compiler output above; then npm run setup -- --force",
  );
}

// 4. Smoke test.
const code = `const tf=require(${JSON.stringify(pkgName)});const x=tf.tensor([1,2,3]);
if(tf.getBackend()!=="tensorflow"||x.sum().dataSync()[0]!==6)process.exit(3);
console.log("GPU="+Boolean(tf.backend().isUsingGpuDevice));`;
const s = run(process.execPath, ["-e", code], {
  stdio: "pipe",
  env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
});
if (s.status !== 0) {
  const why =
    s.stderr.split("\n").find((l) => /Error|error:|cannot open/.test(l)) ??
    s.stderr.trim().split("\n").pop();
  fail(`the built addon does not load: ${String(why).trim()}`, "npm run setup -- --force");
}
if (gpu && !s.stdout.includes("GPU=true")) {
  console.warn(
    `[tensorflow] warning: ${pkgName} loads but TensorFlow sees no GPU (no NVIDIA driver, or a CUDA library did not load; run with TF_CPP_MIN_LOG_LEVEL=0 to see which)`,
  );
}
fs.mkdirSync(path.dirname(stamp), { recursive: true });
fs.writeFileSync(stamp, stampValue());
releaseLock();
log(`native TensorFlow ${TF_VERSION} (${flavor}) ready for ${pkgName}`);
