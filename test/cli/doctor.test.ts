/**
 * `simclr doctor` (issue 28, item 6), run as a user runs it: the report on this machine (text and
 * `--json` with the same checks), the branch that reports missing CUDA/cuDNN libraries (the search
 * pointed at an empty folder), libraries of the wrong major version, all libraries present with
 * their versions, and a reachable MLflow server with its version.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { mlflowCheck, type Check } from "../../src/cli/doctor";
import { CUDA_LIBRARIES } from "../../src/cli/doctor-gpu";
import { useMlflowServer } from "../support/mlflow";
import { tempDir } from "../support/tmp";

const ROOT = path.resolve(__dirname, "..", "..");
const mlflow = useMlflowServer();

function doctor(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "simclr.cjs"), "doctor", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, MLFLOW_TRACKING_URI: "", ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

function checks(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; checks: Check[] } {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin", "simclr.cjs"), "doctor", "--json", ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, MLFLOW_TRACKING_URI: "", ...env },
      timeout: 120_000,
    },
  );
  return { code: r.status, checks: (JSON.parse(r.stdout) as { checks: Check[] }).checks };
}

const noGpu = spawnSync("nvidia-smi", ["-L"]).status !== 0;

test("the report on this machine: CPU, TensorFlow in use, a matrix-product rate, data; text and --json agree", () => {
  const text = doctor([]);
  assert.equal(text.code, 0, text.out);
  assert.match(text.out, /^ok {4}cpu {8}.+\(.*AVX/m);
  assert.match(text.out, /^ok {4}tensorflow in use: tensorflow/m);
  assert.match(text.out, /matrix product 512x512 float32 on .+: \d+(\.\d+)? GFLOP\/s/);
  // The precisions this CPU runs (issue 25): bf16 where it has AVX512-BF16 or AMX, else why not.
  const bf16Cpu = /avx512_bf16|amx_bf16/.test(fs.readFileSync("/proc/cpuinfo", "utf8"));
  assert.match(
    text.out,
    bf16Cpu
      ? /^info {2}tensorflow precision: fp32 \(the default\) and bf16/m
      : /^info {2}tensorflow precision: fp32 only; bf16 unavailable \(.+\)/m,
  );
  if (noGpu)
    assert.match(text.out, /no NVIDIA GPU .*SIMCLR_TF_FLAVOR=gpu npm run setup -- --force/);
  const json = checks([]);
  const lines = text.out.split("\n").filter((l) => /^(ok|info|warn|fail) /.test(l));
  assert.deepEqual(
    json.checks.map((c) => `${c.status} ${c.area}`),
    lines.map((l) => l.split(/\s+/).slice(0, 2).join(" ")),
  );
  const speed = json.checks.find((c) => c.area === "speed");
  assert.ok(Number(speed?.detail?.gflops) > 0, "a measured rate");
});

test("missing CUDA/cuDNN libraries (search pointed at an empty folder): each named, with the fix, exit 1", () => {
  const empty = tempDir("doctor-nolibs");
  const r = checks(["--no-bench", "--cuda-lib-dir", empty]);
  assert.equal(r.code, 1);
  const cuda = r.checks.find((c) => c.area === "cuda");
  assert.equal(cuda?.status, "fail");
  for (const l of CUDA_LIBRARIES)
    assert.match(cuda?.summary ?? "", new RegExp(`${l.soname.replace(/\./g, "\\.")} MISSING`));
  assert.match(
    cuda?.fix ?? "",
    /not found: install the NVIDIA driver; SIMCLR_TF_FLAVOR=gpu npm run setup -- --force/,
  );
});

/** A folder of stand-in library files: soname -> file with a full version, as the wheels ship. */
function fakeLibs(version: (soname: string) => string): string {
  const dir = tempDir("doctor-libs");
  for (const { soname } of CUDA_LIBRARIES) {
    const file = `${soname.split(".so.")[0]}.so.${version(soname)}`;
    fs.writeFileSync(path.join(dir, file), "");
    if (file !== soname) fs.symlinkSync(file, path.join(dir, soname));
  }
  return dir;
}

test("all CUDA libraries present: versions reported from the files", () => {
  const dir = fakeLibs((s) =>
    s.includes("cudnn") ? "9.3.0" : s.includes("cudart") ? "12.5.82" : s.split(".so.")[1],
  );
  const cuda = checks(["--no-bench", "--cuda-lib-dir", dir]).checks.find((c) => c.area === "cuda");
  assert.equal(cuda?.status, "ok", cuda?.summary);
  assert.match(cuda?.summary ?? "", /libcudart\.so\.12 12\.5\.82/);
  assert.match(cuda?.summary ?? "", /libcudnn\.so\.9 9\.3\.0/);
});

test("a cuDNN of another major version behind the soname is a problem", () => {
  const dir = fakeLibs((s) => (s.includes("cudnn") ? "8.9.7" : s.split(".so.")[1]));
  const r = checks(["--no-bench", "--cuda-lib-dir", dir]);
  const cuda = r.checks.find((c) => c.area === "cuda");
  assert.equal(cuda?.status, "fail");
  assert.match(cuda?.fix ?? "", /libcudnn\.so\.9 \(cuDNN 9.*of another version/);
  assert.equal(r.code, 1);
});

test("a reachable MLflow server is reported with its version; an unreachable one is a problem", async () => {
  await mlflow.ready;
  const up = checks(["--no-bench"], { MLFLOW_TRACKING_URI: mlflow.url }).checks.find(
    (c) => c.area === "mlflow",
  );
  assert.equal(up?.status, "ok", up?.summary);
  assert.match(up?.summary ?? "", /answers; MLflow \d+\.\d+/);
  const down = checks(["--no-bench"], { MLFLOW_TRACKING_URI: "http://127.0.0.1:9" });
  assert.equal(down.checks.find((c) => c.area === "mlflow")?.status, "fail");
  assert.equal(down.code, 1);
});

test("a recorded local server whose process has exited, or whose pid another program now has, is reported as not running, not as a failure; a live one that does not answer fails", async () => {
  const dir = tempDir("doctor-record");
  const record = path.join(dir, "server.json");
  // a pid that existed and has exited: a finished child's
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
  fs.writeFileSync(record, JSON.stringify({ url: "http://127.0.0.1:9", pid: gone, storeDir: dir }));
  const stale = await mlflowCheck({}, record);
  assert.equal(stale.status, "info", stale.summary);
  assert.match(
    stale.summary,
    new RegExp(`the recorded one \\(http://127\\.0\\.0\\.1:9, pid ${gone}\\) has exited`),
  );
  assert.match(stale.fix ?? "", /npm start/);
  // the pid was reused by another program (here a sleep): the recorded server is gone too
  const other = spawn("sleep", ["60"], { stdio: "ignore" });
  try {
    fs.writeFileSync(record, JSON.stringify({ url: "http://127.0.0.1:9", pid: other.pid }));
    const reused = await mlflowCheck({}, record);
    assert.equal(reused.status, "info", reused.summary);
    assert.match(reused.summary, new RegExp(`pid ${other.pid} now runs another program: sleep 60`));
  } finally {
    other.kill();
  }
  // a live MLflow server's pid, recorded with a URL where nothing answers (port 9): a real problem
  await mlflow.ready;
  fs.writeFileSync(record, JSON.stringify({ url: "http://127.0.0.1:9", pid: mlflow.server.pid }));
  const silent = await mlflowCheck({}, record);
  assert.equal(silent.status, "fail", silent.summary);
  assert.match(silent.summary, /127\.0\.0\.1:9 does not answer/);
  // MLFLOW_TRACKING_URI wins over the record
  assert.equal(
    (await mlflowCheck({ MLFLOW_TRACKING_URI: "http://127.0.0.1:9" }, record)).status,
    "fail",
  );
  assert.equal((await mlflowCheck({}, path.join(dir, "none.json"))).status, "info");
});
