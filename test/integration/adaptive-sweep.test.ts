import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { inProcessExecutor } from "../support/in-process";
import { useMlflowServer } from "../support/mlflow";
import { standIn } from "../support/stand-in";
import { runSweep } from "../../src/sweep/sweep";
import type { Study } from "../../src/evidence/study";
import { configureFromEnv } from "../../src/workbench/params";
import { tempDir } from "../support/tmp";

const mlflow = useMlflowServer();
const tmp = tempDir("adaptive");
process.env.SIMCLR_JOURNAL_DIR = path.join(tmp, "journal");
configureFromEnv(process.env);

/** Seed-to-seed variation per cell: a and b move together, c and d do not. */
const JITTER: Record<string, number[]> = {
  a: [0.001, -0.001, 0, 0, 0, 0],
  b: [0, 0.001, 0, 0, 0, 0],
  c: [0.02, -0.02, 0.01, -0.01, 0.015, -0.015],
  d: [-0.01, 0.02, -0.02, 0.01, 0, 0.005],
};
const BASE: Record<string, number> = { a: 0.8, b: 0.5, c: 0.5, d: 0.5 };

/** Runs a cell in this process and logs its accuracy to MLflow. */
const inProcess = inProcessExecutor(async (run, config) => {
  const cfg = config as { k: string; seed: number };
  const acc = (BASE[cfg.k] ?? 0) + (JITTER[cfg.k]?.[cfg.seed] ?? 0);
  run.logMetrics({ acc }, 0);
  return { acc };
});

const study: Study = {
  name: "adaptive-sweep",
  description: "two claims, one decided at the first look",
  base: {},
  cells: ["a", "b", "c", "d"].map((k) => ({ label: k, overrides: standIn({ k }) })),
  seeds: 6,
  presets: { tiny: { seedPolicy: { min: 2, max: 6, step: 2 } } },
  metrics: ["acc"],
  claims: [
    { id: "a-beats-b", claim: "a beats b", metric: "acc", better: "a", worse: "b" },
    { id: "c-beats-d", claim: "c beats d", metric: "acc", better: "c", worse: "d" },
  ],
};

const seedsOf = (cells: { label: string; status: string }[], label: string): number =>
  cells.filter((c) => c.label === label && c.status !== "FAILED").length;

test("an adaptive sweep adds seeds only to the undecided claim's cells and resumes without new runs", async () => {
  const r = await runSweep(study, {
    preset: "tiny",
    trackingUri: mlflow.url,
    executor: inProcess,
    configDir: path.join(tmp, "cfg"),
  });
  assert.deepEqual(
    ["a", "b", "c", "d"].map((l) => seedsOf(r.cells, l)),
    [2, 2, 6, 6],
  );
  assert.equal(
    r.finished,
    16,
    JSON.stringify(r.cells.map((c) => `${c.label}/${c.seed}/${c.status}`)),
  );
  // Run again (a new session): every run is found in MLflow, the same seeds are planned, none run.
  const again = await runSweep(study, {
    preset: "tiny",
    trackingUri: mlflow.url,
    executor: inProcess,
    configDir: path.join(tmp, "cfg"),
  });
  assert.equal(again.finished, 0);
  assert.equal(
    again.skipped,
    16,
    JSON.stringify(again.cells.map((c) => [c.label, c.seed, c.status, c.metrics])),
  );
});
