/**
 * The random-init baseline is measured once per key and shared by a sweep's cells, which are
 * separate processes (bin/simclr-cell.cjs) that get the folder as SIMCLR_BASELINE_CACHE: two cells
 * of one seed racing for the key leave one entry with one value, and a later cell of that seed
 * reads it instead of measuring it (its result says "reused"), whatever loss it trained with.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { resolveConfig } from "../../src/config/resolve";
import { planStudy, type StudyGrid } from "../../src/grid/study-grid";
import { writeCellConfig } from "../../src/sweep/cell";
import { PROJECT_ROOT } from "../../src/track/server";
import { e2eData } from "../support/e2e-data";
import { tempDir } from "../support/tmp";

const data = e2eData();

const study: StudyGrid = {
  name: "baseline-cache",
  description: "three losses, one seed: one random-init baseline",
  base: {
    data: { dataset: data.env.SIMCLR_DATASET ?? "cifar10", trainLimit: 200, testLimit: 100 },
    train: { batchSize: 32, maxSteps: 2 },
    eval: { linearEpochs: 2, knnK: 5, randomInit: true },
  },
  cells: [
    { label: "ntxent", overrides: { loss: { kind: "ntxent" } } },
    { label: "ntlogistic", overrides: { loss: { kind: "ntlogistic" } } },
    { label: "margin", overrides: { loss: { kind: "margin" } } },
  ],
  seeds: 1,
  metrics: ["linear_acc"],
};

/** Runs one cell process on its config file; resolves to its last JSON line. */
function runCell(file: string, cache: string): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...data.env, SIMCLR_BASELINE_CACHE: cache };
  // untracked: no tracking context reaches the cell
  for (const k of Object.keys(env))
    if (/^(MLFLOW_|SIMCLR_(EXPERIMENT|PARENT_RUN_ID|RUN_ID|CONFIG_HASH|STUDY|RUN_NAME)$)/.test(k))
      delete env[k];
  const child = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, "bin", "simclr-cell.cjs"), "--config", file, "--json"],
    { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`cell exited ${code}: ${err}`));
      else resolve(JSON.parse(last) as Record<string, unknown>);
    });
  });
}

test("cells of one seed share one random-init baseline across processes; a later cell reuses it", async () => {
  const dir = tempDir("baseline-cells");
  const cache = path.join(dir, "baselines");
  const files = planStudy(study, { preset: "tiny", resolveConfig }).map((plan) =>
    writeCellConfig(path.join(dir, "configs"), study.name, plan),
  );
  // two cells race for the key (both may measure it: the same value, renamed into place)
  const [a, b] = await Promise.all([runCell(files[0], cache), runCell(files[1], cache)]);
  const c = await runCell(files[2], cache);
  assert.equal(c.random_init_source, "reused");
  assert.ok(
    [a, b].some((r) => r.random_init_source === "computed"),
    "the first cell of a key measures it",
  );
  for (const r of [b, c]) {
    assert.equal(r.random_init_key, a.random_init_key);
    assert.equal(r.random_init_linear_acc, a.random_init_linear_acc);
    assert.equal(r.random_init_knn_acc, a.random_init_knn_acc);
  }
  assert.equal(typeof a.random_init_linear_acc, "number");
  assert.deepEqual(fs.readdirSync(cache), [`${String(a.random_init_key)}.json`], "no temp file");
});
