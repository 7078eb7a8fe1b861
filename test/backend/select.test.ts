/**
 * Backend selection (src/backend/index.ts): the automatic order, SIMCLR_BACKEND, errors for a
 * backend that cannot be honoured, one warning line on a fallback, and idempotence. Selection is
 * per-process state, so each case runs in a fresh Node process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");
const nativeBuilt = fs.existsSync(
  path.join(ROOT, "node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node"),
);

/** Runs a snippet that imports the backend module in a fresh process; returns its output. */
function runSnippet(code: string, env: Record<string, string | undefined> = {}, preload?: string) {
  const script = `const b = require(${JSON.stringify(path.join(ROOT, "src/backend"))});\n(async () => { ${code} })().catch((e) => { console.log("ERROR " + e.message); process.exit(3); });`;
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" };
  delete fullEnv.SIMCLR_BACKEND;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete fullEnv[k];
    else fullEnv[k] = v;
  }
  // The harness's entry (test/support/environment.cjs) hands the environment to the toolkit.
  const entry = ["--import", "./test/support/environment.cjs"];
  const args = [
    "--import",
    "tsx",
    ...entry,
    ...(preload ? ["--require", preload] : []),
    "-e",
    script,
  ];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: fullEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A preload that makes @tensorflow/tfjs-node unresolvable, as on a machine without the build. */
function hideNativePreload(): string {
  const file = path.join(ROOT, ".simclr", "tmp", "hide-tfjs-node.cjs");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `const M = require("module"); const orig = M._resolveFilename;
M._resolveFilename = function (req, ...rest) {
  if (/^@tensorflow\\/tfjs-node(-gpu)?(\\/|$)/.test(req)) { const e = new Error("Cannot find module '" + req + "'"); e.code = "MODULE_NOT_FOUND"; throw e; }
  return orig.call(this, req, ...rest);
};\n`,
  );
  return file;
}

describe("backend selection", () => {
  it("chooses native TensorFlow on the CPU when its addon is built, with threads and versions", (t) => {
    if (!nativeBuilt) return t.skip("tfjs-node's addon is not built here (npm run setup)");
    const r = runSnippet(`const i = await b.initBackend(); console.log(JSON.stringify(i));
      console.log("INTRA " + process.env.TF_NUM_INTRAOP_THREADS + " CORES " + b.availableCores());`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const info = JSON.parse(r.stdout.split("\n")[0]);
    assert.equal(info.backend, "tensorflow");
    assert.match(info.version, /TensorFlow 2\.\d+/);
    assert.equal(info.fallbackReason, undefined);
    assert.match(r.stdout, new RegExp(`INTRA ${info.threads} CORES ${info.threads}`));
    assert.doesNotMatch(r.stderr, /\[simclr\] warning/);
  });

  it("turns TensorFlow's oneDNN kernels on unless the user set TF_ENABLE_ONEDNN_OPTS, and reports it", (t) => {
    if (!nativeBuilt) return t.skip("tfjs-node's addon is not built here (npm run setup)");
    // TensorFlow itself logs "oneDNN custom operations are on" at load when it runs them.
    const on = /oneDNN custom operations are on/;
    const snippet = `const i = await b.initBackend(); console.log(JSON.stringify(i));
      console.log("ONEDNN " + process.env.TF_ENABLE_ONEDNN_OPTS);`;
    const byDefault = runSnippet(snippet, { TF_ENABLE_ONEDNN_OPTS: undefined });
    assert.equal(byDefault.status, 0, byDefault.stdout + byDefault.stderr);
    assert.equal(JSON.parse(byDefault.stdout.split("\n")[0]).onednn, true);
    assert.match(byDefault.stdout, /ONEDNN 1/);
    assert.match(byDefault.stderr, on);
    const off = runSnippet(snippet, { TF_ENABLE_ONEDNN_OPTS: "0" });
    assert.equal(off.status, 0, off.stdout + off.stderr);
    assert.equal(JSON.parse(off.stdout.split("\n")[0]).onednn, false);
    assert.match(off.stdout, /ONEDNN 0/);
    assert.doesNotMatch(off.stderr, on);
  });

  it("falls back to wasm with exactly one warning line naming the fix when tfjs-node is missing", () => {
    const r = runSnippet(
      `const i = await b.initBackend(); console.log(JSON.stringify(i));`,
      {},
      hideNativePreload(),
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const info = JSON.parse(r.stdout.split("\n")[0]);
    assert.equal(info.backend, "wasm");
    assert.match(info.fallbackReason, /tfjs-node is not installed/);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("[simclr] warning"));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /npm run setup -- --force/);
  });

  it("makes SIMCLR_BACKEND=tensorflow an error, not a fallback, when tfjs-node cannot load", () => {
    const r = runSnippet(
      `await b.initBackend(); console.log("no error");`,
      { SIMCLR_BACKEND: "tensorflow" },
      hideNativePreload(),
    );
    assert.equal(r.status, 3, r.stdout);
    assert.match(
      r.stdout,
      /ERROR SIMCLR_BACKEND=tensorflow cannot be honoured: @tensorflow\/tfjs-node is not installed; fix: run `npm run setup -- --force`/,
    );
  });

  it("honours SIMCLR_BACKEND=cpu and SIMCLR_BACKEND=wasm", () => {
    for (const name of ["cpu", "wasm"]) {
      const r = runSnippet(
        `const i = await b.initBackend(); const tf = require("@tensorflow/tfjs"); console.log(i.backend + " " + tf.getBackend());`,
        { SIMCLR_BACKEND: name },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.trim(), `${name} ${name}`);
    }
  });

  it("rejects an unknown SIMCLR_BACKEND, listing the valid names", () => {
    const r = runSnippet(`await b.initBackend();`, { SIMCLR_BACKEND: "tpu" });
    assert.equal(r.status, 3);
    assert.match(
      r.stdout,
      /SIMCLR_BACKEND="tpu" is not a backend; expected one of: tensorflow-gpu, tensorflow, wasm, cpu/,
    );
  });

  it("makes a forced tensorflow-gpu an error naming why when no GPU build or GPU is present", () => {
    const r = runSnippet(`await b.initBackend({ prefer: "tensorflow-gpu" });`);
    assert.equal(r.status, 3);
    assert.match(
      r.stdout,
      /cannot be honoured: (no CUDA GPU is visible|@tensorflow\/tfjs-node-gpu is not installed)/,
    );
  });

  it("is idempotent: a second call returns the same choice without reloading", () => {
    const r =
      runSnippet(`const a = await b.initBackend({ prefer: "cpu" }); const c = await b.initBackend();
      console.log(String(a === c) + " " + (b.backendInfo() === a));`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), "true true");
  });
});
